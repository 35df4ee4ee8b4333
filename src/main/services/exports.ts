/** Runs and points as files (CSV, Parquet, HDF5), for the front doors. */
export { pointsToCsv, runCsvName, runToCsv } from '../store/csv';
export { POINT_FORMATS, writeHdf5, writeParquet, type PointFormat } from '../store/export';
