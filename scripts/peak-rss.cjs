// Preloaded into the action by the benchmark (`node --require`): writes the
// process's peak resident set size, in KiB, when it exits.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.SFMC_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
