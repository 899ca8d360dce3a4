// Create-or-update of one contact as every node of an account does it: one at a time per
// directory, key and key value (an email in any case), whichever node the messages come to, so two
// messages for one new person never create it twice in this Node-RED (nodes/lib/account-lock.ts).
import type { QualtricsClient } from "../../src/client";
import { ContactFields, UpsertKey, UpsertOptions, upsertContact, upsertKeyOf } from "../../src/contacts";
import { accountLock } from "./account-lock";

export function upsertInAccount(
  config: { id: string },
  client: QualtricsClient,
  directoryId: string,
  key: UpsertKey,
  fields: ContactFields,
  signal?: AbortSignal,
  opts: Omit<UpsertOptions, "spellings"> = {},
): ReturnType<typeof upsertContact> {
  const value = fields[key];
  const lock = accountLock(config);
  const lockKey = `${directoryId}\n${key}\n${upsertKeyOf(key, value ?? "")}`;
  return lock.run(lockKey, async () => {
    const done = await upsertContact(client, directoryId, key, fields, signal, { ...opts, spellings: lock.spellings(lockKey) });
    if (key === "email" && value) lock.remember(lockKey, value);
    return done;
  });
}
