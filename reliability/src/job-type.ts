/** Type of the jobs of the many-processes trial. Its own module: importing job-worker.ts would start a worker. */
export const RECORDED_JOB_TYPE = "RELIABILITY_RECORDED_RUN";
