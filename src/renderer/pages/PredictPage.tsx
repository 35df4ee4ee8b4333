/**
 * Predict: choose a device table and a network, run the prediction as a job of main (it keeps
 * running when this page is left), and read accuracy, paired differences to linear and the
 * weight mapping; earlier predictions stay in the history.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ProfileSummary } from '../../shared/profile/schema';
import { ErrorBanner } from '../components/Field';
import { useApiQuery } from '../hooks/api';
import type { AppMode } from '../files';
import { DriftTimeline } from './DriftTimeline';
import {
  buildRequest,
  checkSettings,
  initialForm,
  storeForm,
  tableChoice,
  type FormState,
} from './predict/form';
import { History } from './predict/History';
import { PredictForm, type BuiltinModel } from './predict/PredictForm';
import { PredictionResults } from './predict/PredictionResults';
import { RunningCard } from './predict/RunningCard';
import { usePredictionJob } from './predict/usePredictionJob';

export function PredictPage({ initialProfile, mode }: { initialProfile: string | null; mode: AppMode }) {
  const profileList = useApiQuery('profiles.list', {});
  const profiles: ProfileSummary[] = profileList.data ?? [];
  const modelList = useApiQuery('resources.list', {});
  const models: BuiltinModel[] = modelList.data?.models ?? [];
  const [form, setForm] = useState<FormState>(() => initialForm(initialProfile));
  const [modelFile, setModelFile] = useState<File>();
  const [dataFiles, setDataFiles] = useState<File[]>([]);
  const job = usePredictionJob();
  const { running, record, setError } = job;

  useEffect(() => storeForm(form), [form]);
  // A profile the library no longer has gives way to the first writable one (or the preset).
  useEffect(() => {
    const list = profileList.data;
    if (!list) return;
    setForm((f) =>
      list.some((p) => p.name === f.profile)
        ? f
        : { ...f, profile: list.find((x) => !x.readOnly)?.name ?? 'AlOx/HfO2', table: '' },
    );
  }, [profileList.data]);
  const loadError = profileList.error ?? modelList.error;
  useEffect(() => {
    if (loadError) setError(loadError);
  }, [loadError, setError]);

  const choice = tableChoice(profiles, form);
  const check = useMemo(() => checkSettings(form, choice.bits), [form, choice.bits]);
  const request = () => buildRequest(form, check, choice.table?.name, { model: modelFile, data: dataFiles });
  const invalid =
    !check.parsed.success ||
    !form.profile ||
    form.methods.length === 0 ||
    (choice.bits.length === 0 && form.methods.some((m) => m !== 'float'));

  return (
    <div className="split">
      <section className="card form-column" aria-labelledby="predict-title">
        <h2 id="predict-title">Predict accuracy on a ReRAM crossbar</h2>
        <PredictForm
          form={form}
          setForm={setForm}
          choice={choice}
          errors={check.errors}
          invalid={invalid}
          running={running}
          starting={job.starting}
          onRun={() => {
            if (check.parsed.success) void job.start(request);
            else setError('Check the highlighted settings.');
          }}
          onCancel={job.cancel}
          profiles={profiles}
          models={models}
          setModelFile={setModelFile}
          setDataFiles={setDataFiles}
        />
        <ErrorBanner error={job.error} onDismiss={() => setError(undefined)} />
      </section>
      <div className="results-column">
        {running ? <RunningCard running={running} /> : null}
        <section className="card" aria-labelledby="results-title">
          <h2 id="results-title">{record ? `Prediction ${record.id}: ${record.title}` : 'Results'}</h2>
          {record?.report ? (
            <PredictionResults key={record.id} record={record} mode={mode} />
          ) : (
            <p className="muted">Run a prediction to compare linear mapping with MES on this device.</p>
          )}
        </section>
        <DriftTimeline buildRequest={request} busy={running !== null || job.starting || invalid} />
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">History</h2>
          <History items={job.history} selected={record?.id} onOpen={job.open} onDelete={job.remove} />
        </section>
      </div>
    </div>
  );
}
