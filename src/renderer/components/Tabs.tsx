/** A row of tab buttons: one selected, keyboard-reachable, optionally all disabled. */
export function Tabs<T extends string>(props: {
  label: string;
  tabs: ReadonlyArray<readonly [T, string]>;
  selected: T;
  onSelect: (id: T) => void;
  disabled?: boolean;
}) {
  return (
    <div className="tabs" role="tablist" aria-label={props.label}>
      {props.tabs.map(([id, title]) => (
        <button
          key={id}
          type="button"
          role="tab"
          aria-selected={props.selected === id}
          onClick={() => props.onSelect(id)}
          disabled={props.disabled}
        >
          {title}
        </button>
      ))}
    </div>
  );
}
