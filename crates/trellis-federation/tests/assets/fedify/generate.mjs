// Writes the Fedify documents of this directory with Fedify's own
// vocabulary (`toJsonLd()`), as a Fedify server sends them:
//   npm install @fedify/fedify@1.5.9 && node generate.mjs
// (Keys are made afresh each run; the files were made with 1.5.9.)
import { Accept, Follow, Undo, Person, Application, CryptographicKey, Endpoints } from "@fedify/fedify/vocab";
import { generateCryptoKeyPair } from "@fedify/fedify/sig";
const pair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const a = "https://fedify.example";
const b = "https://trellis.example";
const follow = new Follow({
  id: new URL(`${b}/activities/0193a1b2-follow`),
  actor: new URL(`${b}/actor`),
  object: new URL(`${a}/actor`),
});
// Fedify's default when answering a Follow: the Follow embedded, with its actor and object.
const embeddedFollow = new Follow({
  id: new URL(`${b}/activities/0193a1b2-follow`),
  actor: new Application({ id: new URL(`${b}/actor`), preferredUsername: "trellis.example" }),
  object: new Application({ id: new URL(`${a}/actor`), preferredUsername: "fedify.example" }),
});
const accept = new Accept({ id: new URL(`${a}/activities/accept-1`), actor: new URL(`${a}/actor`), object: embeddedFollow });
const follow2 = new Follow({ id: new URL(`${a}/activities/follow-2`), actor: new URL(`${a}/actor`), object: new URL(`${b}/actor`) });
const undo = new Undo({ id: new URL(`${a}/activities/undo-2`), actor: new URL(`${a}/actor`), object: follow2 });
const key = (owner) => new CryptographicKey({ id: new URL(`${owner}#main-key`), owner: new URL(owner), publicKey: pair.publicKey });
const app = new Application({
  id: new URL(`${a}/actor`), preferredUsername: "fedify.example", name: "Fedify example",
  inbox: new URL(`${a}/actor/inbox`), outbox: new URL(`${a}/actor/outbox`),
  endpoints: new Endpoints({ sharedInbox: new URL(`${a}/inbox`) }),
  publicKey: key(`${a}/actor`),
});
const person = new Person({
  id: new URL(`${a}/users/fay`), preferredUsername: "fay", name: "Fay",
  inbox: new URL(`${a}/users/fay/inbox`), outbox: new URL(`${a}/users/fay/outbox`),
  endpoints: new Endpoints({ sharedInbox: new URL(`${a}/inbox`) }),
  publicKey: key(`${a}/users/fay`),
});
const out = {
  "accept_embedded_follow.json": await accept.toJsonLd(),
  "follow.json": await follow2.toJsonLd(),
  "undo_follow.json": await undo.toJsonLd(),
  "application.json": await app.toJsonLd(),
  "person.json": await person.toJsonLd(),
};
import fs from "node:fs";

for (const [name, doc] of Object.entries(out)) fs.writeFileSync(name, JSON.stringify(doc, null, 2) + "\n");
console.log(Object.keys(out));
