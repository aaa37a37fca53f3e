"""Modbus RTU server for the modbus-rtu-master example's tests: pymodbus
serving unit 1 on a serial port with all four tables (zero-based):
coils 0..63 (coil n is on when n % 3 == 0), discrete inputs 0..63 (input n is
on when n is odd), holding registers 0..63 (register n holds n * 11) and input
registers 0..63 (register n holds 1000 + n). Prints "ready" once the port is open.

Usage: python3 examples-modbus-server.py <port> [baudrate]
"""
import asyncio
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer


async def main(port, baudrate):
    store = ModbusSlaveContext(
        co=ModbusSequentialDataBlock(0, [n % 3 == 0 for n in range(64)]),
        di=ModbusSequentialDataBlock(0, [n % 2 == 1 for n in range(64)]),
        hr=ModbusSequentialDataBlock(0, [n * 11 for n in range(64)]),
        ir=ModbusSequentialDataBlock(0, [1000 + n for n in range(64)]),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves={1: store}, single=False)
    server = await StartAsyncSerialServer(
        context=context, framer=ModbusRtuFramer, port=port, baudrate=baudrate, defer_start=True
    )
    await server.start()
    if server.transport is None:
        print(f"cannot open {port}", file=sys.stderr, flush=True)
        sys.exit(1)
    print("ready", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 19200))
