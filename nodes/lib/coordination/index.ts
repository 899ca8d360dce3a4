// The coordination a configuration node hands its nodes (nodes/lib/coordination/types.ts).
export * from "./types";
export { localRecords } from "./local-records";
