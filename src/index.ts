// The Qualtrics client: usable without Node-RED.
export * from "./base-url";
export * from "./client";
export * from "./contacts";
export * from "./distributions";
export * from "./envelope";
export * from "./errors";
export * from "./limiter";
export * from "./paginate";
export * from "./responses";
export * from "./retry";
export * from "./safe-object";
export * from "./subscriptions";
export * from "./users";
export * from "./validate";
export * from "./webhook";
