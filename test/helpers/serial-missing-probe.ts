/**
 * Child process for the missing-binding test: run with
 * `node --require test/helpers/hide-package.cjs --import tsx <this file>`;
 * prints what listing ports and opening a Serial (by default binding) threw.
 */
import { listSerialPorts, Serial, SerialBindingMissingError, SerialOpenError } from "../../src/serial/index.js";
import { HioError } from "../../src/core/index.js";

function describe(error: unknown): object {
  const typed = error instanceof SerialBindingMissingError;
  return {
    typed,
    hio: error instanceof HioError,
    open: error instanceof SerialOpenError,
    packageName: typed ? error.packageName : undefined,
    message: error instanceof Error ? error.message : String(error),
  };
}

const result: Record<string, object> = {};
try {
  await listSerialPorts();
  result.list = { typed: false, message: "listed" };
} catch (error) {
  result.list = describe(error);
}
const serial = new Serial({ path: "/dev/ttyNOPE0", reopenable: true, tymeout: 0.01 });
try {
  await serial.open();
  result.open = { typed: false, message: "opened" };
} catch (error) {
  result.open = { ...describe(error), state: serial.state, due: serial.due };
}
await serial.close();
process.stdout.write(JSON.stringify(result));
