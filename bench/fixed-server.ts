// The fixed-response server of the overhead case: a plain node:http server that answers every
// request with the same canned Qualtrics envelope (a contact, as GET /directories/{d}/contacts/{c}
// returns it). It runs in its own process and prints {"port": N} when it listens; it also counts
// the requests it served ({"op":"count"} on stdin).
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { serveCommands } from "./lib";

const contact = {
  contactId: "CID_benchBenchBench",
  creationDate: "2024-03-01T09:00:00Z",
  lastModified: "2024-03-08T09:00:00Z",
  firstName: "Amelia",
  lastName: "Hart",
  email: "amelia.hart@example.com",
  emailDomain: "example.com",
  phone: "+15550100000",
  extRef: "CRM-1001",
  language: "EN",
  unsubscribed: false,
  embeddedData: { customerTier: "gold", region: "north", signupYear: "2019", accountManager: "Sam Sandbox" },
  segmentMembership: {},
  directoryUnsubscribed: false,
  directoryUnsubscribeDate: null,
  stats: {},
  mailingListMembership: {},
};
const body = Buffer.from(JSON.stringify({ result: contact, meta: { httpStatus: "200 - OK", requestId: "9d6b8cc4-2f84-4b28-970b-84501d180bdd" } }));
const headers = { "content-type": "application/json", "content-length": String(body.length) };
let served = 0;

const server = http.createServer((req, res) => {
  served++;
  // read (and drop) any body, then answer
  req.resume();
  req.on("end", () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port, bytes: body.length }) + "\n");
});
serveCommands(async () => ({ served }));
