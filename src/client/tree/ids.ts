// Stable tree ids (GitLens style), so expansion, selection and scroll survive refreshes:
//   experimentHealth://<db path>                          a database
//   experimentHealth://<db path>/<experiment id>          an experiment
//   experimentHealth://<db path>/<experiment id>/<run id> a run
// Groups, "recent runs", "load more" and messages get a `#<kind>` suffix; ids are encoded so
// that a slash inside an id cannot collide with the path structure.
const enc = encodeURIComponent;

export const ROOT = 'experimentHealth://';

export function databaseId(path: string): string { return `${ROOT}${path.replace(/\\/g, '/')}`; }
export function experimentId(path: string, experiment: string): string { return `${databaseId(path)}/${enc(experiment)}`; }
export function runId(parentId: string, run: string): string { return `${parentId}/${enc(run)}`; }
export function groupId(experimentNodeId: string, by: string, key: string): string { return `${experimentNodeId}#${by}=${enc(key)}`; }
export function recentId(path: string): string { return `${databaseId(path)}#recent`; }
export function loadMoreId(parentId: string): string { return `${parentId}#loadMore`; }
export const OTHER_DATABASES_ID = `${ROOT}#otherDatabases`;
export function messageId(parentId: string, what: string): string { return `${parentId}#message=${enc(what)}`; }
