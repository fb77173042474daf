// Regenerates src/schema.ts, the types of the API, from the OpenAPI document of a
// server started with the content types of examples/schema.json.
import { writeFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import { start } from "./server.mjs";

const server = await start();
try {
  const res = await fetch(server.url + "/-/openapi.json");
  if (!res.ok) throw new Error(`GET /-/openapi.json: ${res.status}`);
  const doc = await res.json();
  // The document names the server it was fetched from; the types do not need it.
  delete doc.servers;
  const ast = await openapiTS(doc, { alphabetize: true });
  const header =
    "// The types of backrest's API, generated from its OpenAPI document (with the\n" +
    "// content types of examples/schema.json) by `npm run generate`. Do not edit.\n\n";
  writeFileSync(new URL("../src/schema.ts", import.meta.url), header + astToString(ast));
} finally {
  await server.stop();
}
