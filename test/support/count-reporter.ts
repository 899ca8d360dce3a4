// Mocha reporter: the usual spec output, plus the counts written to a file so that
// scripts/test.js can add up every run (both Node-RED majors) into one closing line.
import * as fs from "fs";
import Mocha = require("mocha");

const { EVENT_RUN_END } = Mocha.Runner.constants;

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.QUALTRICS_TEST_COUNTS;
      const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      const line = JSON.stringify({ passed: stats.passes, failed: stats.failures, skipped: stats.pending });
      if (file) fs.appendFileSync(file, line + "\n");
    });
  }
}

export = CountReporter;
