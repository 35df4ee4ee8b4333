import type { LevelTable } from '../../shared/levels/level-table';
import type { MethodResult, PredictionReport, PredictSettingsInput } from '../../shared/rca/report';

export type DataSource =
  | { kind: 'idx'; name: string; images: Uint8Array; labels: Uint8Array }
  | { kind: 'cifar10'; name: string; bytes: Uint8Array };

export interface PredictJob {
  type: 'run';
  model: Uint8Array;
  modelName: string;
  data: DataSource;
  table: LevelTable;
  profileName: string;
  settings: PredictSettingsInput;
}

export type WorkerRequest = PredictJob | { type: 'cancel' };

export type WorkerReply =
  | { type: 'progress'; fraction: number; message: string; partial: MethodResult[] }
  | { type: 'done'; report: PredictionReport }
  | { type: 'error'; code: string; message: string }
  | { type: 'ready'; backend: string };
