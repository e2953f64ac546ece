// pg-boss 12 and graphile-worker 0.18, the peers that bench/ measures against, declare Node 22 in
// `engines`, yet they run on Node 20 (bench/ checks it on every run, and the published peer
// figures were measured on Node 20). This hook drops the field of exactly these two packages, so
// the lockfile records them without it and `engine-strict` keeps guarding every other package.
// NOTE: pnpm 10 checks a newly resolved package's engines before it calls readPackage, so
// resolving them anew (adding or updating either one) needs `pnpm install --config.engine-strict=false`
// once; installs from the lockfile, `--frozen-lockfile` and `--engine-strict` included, pass.
const NODE_22_PEERS = new Set(["pg-boss", "graphile-worker"]);

function readPackage(manifest) {
  if (NODE_22_PEERS.has(manifest.name)) delete manifest.engines;
  return manifest;
}

module.exports = { hooks: { readPackage } };
