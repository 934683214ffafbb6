import type { ProfileSpec } from '../spec';

// panic-tda (SQLModel over SQLite). Runs have no status: their state is derived from their
// invocations (see core/doctor/panic-tda.ts). Cascades exist only in its ORM, so the owned
// relations are declared here as well as by the schema's (unenforced) foreign keys.
export const panicTda: ProfileSpec = {
  name: 'panic-tda',
  title: 'panic-tda',
  description: 'panic-tda trajectory database (experimentconfig → run → invocation → embedding, persistence diagrams).',
  detect: [
    { table: 'experimentconfig', columns: ['id', 'networks', 'max_length', 'started_at', 'completed_at'] },
    { table: 'run', columns: ['id', 'experiment_id', 'network', 'seed', 'max_length'] },
    { table: 'invocation', columns: ['id', 'run_id', 'sequence_number', 'completed_at'] },
  ],
  priority: 10,
  idsShownAs: 'uuid', // SQLModel's Uuid columns: 32 hex digits stored, Python's dashed form printed
  experiments: {
    table: 'experimentconfig',
    id: 'id',
    config: 'networks',
    startedAt: { expr: 'started_at', naive: 'local' },
    finishedAt: { expr: 'completed_at', naive: 'local' },
  },
  runs: {
    table: 'run',
    id: 'id',
    experimentId: 'experiment_id',
    config: 'network',
    model: 'network',
    stepsExpected: 'max_length',
  },
  children: [
    { table: 'invocation', key: 'run_id', activity: [{ expr: 'completed_at', naive: 'local' }], steps: { sequence: 'sequence_number' },
      // typeof() tells NULL from the record header without reading the image's overflow pages.
      counts: { noOutput: "typeof(output_text) = 'null' AND typeof(output_image_data) = 'null'", text: "upper(type) = 'TEXT'", image: "upper(type) = 'IMAGE'" } },
    { table: 'persistencediagram', key: 'run_id', activity: [{ expr: 'completed_at', naive: 'local' }] },
  ],
  relations: [
    { table: 'run', column: 'experiment_id', references: { table: 'experimentconfig', column: 'id' }, kind: 'owned' },
    { table: 'invocation', column: 'run_id', references: { table: 'run', column: 'id' }, kind: 'owned' },
    { table: 'persistencediagram', column: 'run_id', references: { table: 'run', column: 'id' }, kind: 'owned' },
    { table: 'embedding', column: 'invocation_id', references: { table: 'invocation', column: 'id' }, kind: 'owned' },
    { table: 'embeddingcluster', column: 'embedding_id', references: { table: 'embedding', column: 'id' }, kind: 'owned' },
    { table: 'embeddingcluster', column: 'clustering_result_id', references: { table: 'clusteringresult', column: 'id' }, kind: 'owned' },
    { table: 'invocation', column: 'input_invocation_id', references: { table: 'invocation', column: 'id' }, kind: 'reference' },
    { table: 'embeddingcluster', column: 'medoid_embedding_id', references: { table: 'embedding', column: 'id' }, kind: 'reference' },
  ],
  derive: 'panic-tda',
};
