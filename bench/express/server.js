// server.js: a minimal Express equivalent of the old token service, for
// bench/serve.sh: GET /api/ice/credentials answers the same JSON report as
// `iceupd serve`, from memory (no provider is asked).
//
//   BODY_FILE=report.json PORT=8081 node server.js
"use strict";

const fs = require("fs");
const express = require("express");

const body = JSON.parse(fs.readFileSync(process.env.BODY_FILE, "utf8"));
const expires = Date.parse(body.expires_at) || 0;
const app = express();
app.disable("x-powered-by");
app.disable("etag");

app.get("/api/ice/credentials", (req, res) => {
  // remaining_ttl changes every second, as iceupd's does.
  if (expires) {
    body.remaining_ttl = Math.max(0, Math.floor((expires - Date.now()) / 1000));
  }
  res.set("Cache-Control", "no-store");
  res.json(body);
});

app.get("/healthz", (req, res) => res.type("text/plain").send("ok\n"));

const server = app.listen(Number(process.env.PORT), "127.0.0.1", () => {
  console.error("listening on 127.0.0.1:" + server.address().port);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
