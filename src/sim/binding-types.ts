/**
 * The serialport binding interface, declared here structurally: it is the
 * shape `@serialport/bindings-interface` defines (which native bindings and
 * `@serialport/binding-mock` implement), but that package's exports map has
 * no `types` entry, so TypeScript's NodeNext resolution cannot load it.
 *
 * @module
 */

/** Options a port is opened with. */
export interface SerialOpenOptions {
  /** The port path. */
  path: string;
  /** Bits per second. */
  baudRate: number;
  /** 5 to 8; default 8. */
  dataBits?: 5 | 6 | 7 | 8;
  /** Exclusive open; default true. */
  lock?: boolean;
  /** 1, 1.5 or 2; default 1. */
  stopBits?: 1 | 1.5 | 2;
  /** Parity; default "none". */
  parity?: string;
  /** Hardware flow control; default false. */
  rtscts?: boolean;
  /** Software flow control; default false. */
  xon?: boolean;
  /** Software flow control; default false. */
  xoff?: boolean;
  /** Software flow control; default false. */
  xany?: boolean;
  /** Drop DTR on close; default true. */
  hupcl?: boolean;
}

/** What `list()` reports about a port. */
export interface SerialPortInfo {
  path: string;
  manufacturer: string | undefined;
  serialNumber: string | undefined;
  pnpId: string | undefined;
  locationId: string | undefined;
  productId: string | undefined;
  vendorId: string | undefined;
}

/** Modem status lines. */
export interface SerialPortStatus {
  cts: boolean;
  dsr: boolean;
  dcd: boolean;
}

/** Modem control flags. */
export interface SerialSetOptions {
  brk?: boolean;
  cts?: boolean;
  dsr?: boolean;
  dtr?: boolean;
  rts?: boolean;
}

/** An open port, as a binding returns it. */
export interface SerialBindingPort {
  readonly openOptions: Required<SerialOpenOptions>;
  isOpen: boolean;
  close(): Promise<void>;
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
  write(buffer: Buffer): Promise<void>;
  update(options: { baudRate: number }): Promise<void>;
  set(options: SerialSetOptions): Promise<void>;
  get(): Promise<SerialPortStatus>;
  getBaudRate(): Promise<{ baudRate: number }>;
  flush(): Promise<void>;
  drain(): Promise<void>;
}

/** A serialport binding: lists and opens ports. */
export interface SerialBinding<Port extends SerialBindingPort = SerialBindingPort> {
  list(): Promise<SerialPortInfo[]>;
  open(options: SerialOpenOptions): Promise<Port>;
}
