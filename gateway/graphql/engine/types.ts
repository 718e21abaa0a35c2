/** A path into a response: field names and list indexes. */
export type ResponsePath = Array<string | number>;

/** Data as merged from subgraph answers: plain JSON objects. */
export type ResultObject = Record<string, unknown>;
