import { useId, type ReactNode } from 'react';
import { formatSI, parseSI, takesSiPrefix } from '../../shared/units';

interface BaseProps {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  wide?: boolean;
}

/** A number input that takes "1e-3", "1m" or "1 mA", shows its unit, and shows the value back in engineering notation. */
export function NumberField(
  props: BaseProps & {
    value: string;
    onChange: (text: string) => void;
    unit?: string;
    name: string;
    required?: boolean;
    echo?: boolean;
  },
) {
  const id = useId();
  const value = parseSI(props.value, props.unit);
  const echo =
    props.echo && props.unit && takesSiPrefix(props.unit) && Number.isFinite(value)
      ? formatSI(value, props.unit)
      : undefined;
  return (
    <label className={`field${props.wide ? ' wide' : ''}`} htmlFor={id}>
      <span>
        {props.label}
        {props.required ? ' *' : ''}
      </span>
      <span className="unit-input">
        <input
          id={id}
          name={props.name}
          inputMode="decimal"
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error ? `${id}-error` : undefined}
          required={props.required}
        />
        {props.unit ? <span className="unit">{props.unit}</span> : null}
      </span>
      {props.error ? (
        <span className="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </span>
      ) : echo ? (
        <span className="muted">= {echo}</span>
      ) : props.hint ? (
        <span className="muted">{props.hint}</span>
      ) : null}
    </label>
  );
}

export function TextField(
  props: BaseProps & {
    value: string;
    onChange: (text: string) => void;
    name: string;
    placeholder?: string;
    required?: boolean;
  },
) {
  const id = useId();
  return (
    <label className={`field${props.wide ? ' wide' : ''}`} htmlFor={id}>
      <span>
        {props.label}
        {props.required ? ' *' : ''}
      </span>
      <input
        id={id}
        name={props.name}
        value={props.value}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        required={props.required}
      />
      {props.error ? (
        <span className="field-error" role="alert">
          {props.error}
        </span>
      ) : props.hint ? (
        <span className="muted">{props.hint}</span>
      ) : null}
    </label>
  );
}

export function SelectField<T extends string>(
  props: BaseProps & {
    value: T;
    onChange: (value: T) => void;
    name: string;
    options: ReadonlyArray<{ value: T; label: string }>;
  },
) {
  const id = useId();
  return (
    <label className={`field${props.wide ? ' wide' : ''}`} htmlFor={id}>
      <span>{props.label}</span>
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.error ? (
        <span className="field-error" role="alert">
          {props.error}
        </span>
      ) : props.hint ? (
        <span className="muted">{props.hint}</span>
      ) : null}
    </label>
  );
}

export function CheckboxField(
  props: BaseProps & { checked: boolean; onChange: (checked: boolean) => void; name: string },
) {
  const id = useId();
  return (
    <label className={`field checkbox${props.wide ? ' wide' : ''}`} htmlFor={id}>
      <span>
        <input
          id={id}
          type="checkbox"
          name={props.name}
          checked={props.checked}
          onChange={(e) => props.onChange(e.target.checked)}
        />{' '}
        {props.label}
      </span>
      {props.hint ? <span className="muted">{props.hint}</span> : null}
    </label>
  );
}

export function ErrorBanner({ error, onDismiss }: { error: string | undefined; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div className="error-banner" role="alert">
      {error}
      {onDismiss ? (
        <>
          {' '}
          <button type="button" onClick={onDismiss} aria-label="Dismiss the message">
            Dismiss
          </button>
        </>
      ) : null}
    </div>
  );
}

export function Progress({
  done,
  total,
  remainingS,
  message,
  label,
}: {
  done: number;
  total: number;
  remainingS?: number | null;
  message?: string | undefined;
  label: string;
}) {
  const percent = total > 0 ? Math.round((100 * done) / total) : 0;
  return (
    <div className="progress" aria-live="polite">
      <progress max={total || 1} value={done} aria-label={label} />
      <span className="muted" data-testid="progress-text">
        {percent} % · {done}/{total}
        {remainingS !== null && remainingS !== undefined ? ` · ${formatDuration(remainingS)} left` : ''}
        {message ? ` · ${message}` : ''}
      </span>
    </div>
  );
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - 60 * m)} s`;
}
