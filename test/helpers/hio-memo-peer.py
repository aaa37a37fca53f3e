"""A Python hio memo peer for hio-ts interop tests (run by test/helpers/hio-peer.ts).

Runs upstream hio's own PeerMemoer (UDP, or UXD for Unix datagrams), optionally
signed (hio's AuthMemoer), and talks JSON lines: it prints events on stdout and
takes commands on stdin.

argv[1] is a JSON object of options:
    transport "udp" | "uxd", path (uxd), auth (bool), curt (bool), size (int),
    seed (hex, 32 bytes: the signing key), echo (bool)
events:  {"event": "ready", "port": n, "path": p, "vid": v}
         {"event": "memo", "length": n, "sha256": h, "src": ..., "vid": v, "head": s}
         {"event": "rejected", "reason": s}
         {"event": "grams", "grams": [hex, ...]}
commands: {"cmd": "send", "to": [host, port] | path, "length": n, "salt": k}
          {"cmd": "grams", "length": n, "salt": k}   (render only, print the grams)
          {"cmd": "quit"}
"""

import faulthandler
import hashlib
import json
import signal
import os
import select
import sys
import time

from hio import hioing
from hio.core.memo import memoing

faulthandler.register(signal.SIGUSR1)  # a stuck peer prints its stack on SIGUSR1
options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
transport = options.get("transport", "udp")

if transport == "uxd":
    from hio.core.uxd.uxding import Peer
    from hio.core.uxd.peermemoing import PeerMemoer
else:
    from hio.core.udp.udping import Peer
    from hio.core.udp.peermemoing import PeerMemoer


def pattern(length, salt):
    """The same printable ASCII pattern hio-ts's tests build (hio's memos are text)."""
    base = "".join(chr(33 + (index * 7 + salt) % 94) for index in range(94))
    return (base * (length // 94 + 1))[:length]


class Counting:
    """Counts and reports the grams hio's own parser rejects."""

    def pick(self, gram):
        try:
            return super().pick(gram)
        except hioing.MemoerError as ex:
            emit({"event": "rejected", "reason": f"{type(ex).__name__}: {ex}"})
            raise


class Debug:
    def send(self, gram, dst, **kwa):
        try:
            cnt = super().send(gram, dst, **kwa)
        except Exception as ex:
            emit({"event": "senderror", "reason": repr(ex)})
            raise
        if os.environ.get("HIO_PEER_DEBUG"):
            emit({"event": "sent", "cnt": cnt, "dst": str(dst)})
        return cnt


class Patient:
    """Retries a uxd send that met a full receiver instead of losing the gram.

    hio 0.7.20's uxd Peer.send returns 0 on EAGAIN, and its Memoer then forgets the
    gram it took from .txgs (it keeps a gram only when some bytes went), so one busy
    moment of the receiver (its queue holds net.unix.max_dgram_qlen = 10 datagrams)
    loses a gram and the memo never completes. The interop tests are about the wire
    format, so this test peer waits for room (at most 10 s) like a blocking sender.
    """

    def send(self, gram, dst, **kwa):
        cnt = super().send(gram, dst, **kwa)
        if transport != "uxd" or cnt or not gram:
            return cnt
        deadline = time.monotonic() + 10
        while not cnt and time.monotonic() < deadline:
            time.sleep(0.001)
            cnt = super().send(gram, dst, **kwa)
        return cnt


class PlainPeer(Patient, Debug, Counting, PeerMemoer):
    pass


class AuthPeer(Patient, Counting, Peer, memoing.AuthMemoer):
    def __init__(self, *, bc=None, **kwa):
        super().__init__(bc=bc if bc is not None else (1024 if transport == "udp" else 4), **kwa)


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


kwa = {}
if options.get("curt"):
    kwa["curt"] = True
if options.get("size"):
    kwa["size"] = options["size"]
vid = None
if options.get("seed"):
    import pysodium

    seed = bytes.fromhex(options["seed"])
    verkey, _sigkey = pysodium.crypto_sign_seed_keypair(seed)
    vid = memoing.Memoer._encodeVID(verkey, "B")
    kwa["keep"] = {vid: memoing.Keyage(qvk=memoing.Memoer._encodeQVK(verkey), qss=memoing.Memoer._encodeQSS(seed))}
    kwa["vid"] = vid

if transport == "uxd":
    where = dict(name=options.get("name", "hio"), temp=True, umask=0o022, reopen=True)
    if options.get("path"):
        where = dict(name=options.get("name", "hio"), path=options["path"], reopen=True)
else:
    where = dict(name="hio", ha=("127.0.0.1", 0), reopen=True)

cls = AuthPeer if options.get("auth") else PlainPeer
peer = cls(**where, **kwa)
if not peer.opened:
    emit({"event": "error", "reason": "could not open"})
    sys.exit(2)
ready = {"event": "ready", "vid": vid}
if transport == "uxd":
    ready["path"] = peer.path
else:
    ready["port"] = peer.ha[1]
emit(ready)

try:
    running = True
    while running:
        if transport == "uxd":
            # One gram per pass: hio 0.7.20 drops a gram whose sendto met EAGAIN (a Unix datagram
            # receiver's queue holds net.unix.max_dgram_qlen = 10 datagrams), so a burst loses grams.
            peer.serviceAllRx()
            peer.serviceAllTxOnce()
        else:
            peer.serviceAll()
        while peer.inbox:  # hio moves fused memos from .rxms to .inbox
            memo, src, mvid = peer.inbox.popleft()
            raw = memo.encode()
            emit({"event": "memo", "length": len(raw), "sha256": hashlib.sha256(raw).hexdigest(),
                  "src": src if isinstance(src, str) else list(src), "vid": mvid, "head": memo[:32]})
            if options.get("echo"):
                peer.memoit(memo, src)
        pause = 0.0005
        if peer.txgs or peer.txms:
            # uxd: a pause between grams (see above) so the receiver drains; udp: no pause.
            pause = 0.002 if transport == "uxd" else 0
        readable, _, _ = select.select([sys.stdin], [], [], pause)
        if not readable:
            continue
        line = sys.stdin.readline()
        if not line:
            break
        command = json.loads(line)
        if command["cmd"] == "quit":
            running = False
        elif command["cmd"] == "send":
            to = command["to"]
            peer.memoit(pattern(command["length"], command.get("salt", 0)), to if isinstance(to, str) else tuple(to))
            emit({"event": "queued", "to": to, "length": command["length"]})
        elif command["cmd"] == "grams":
            grams = peer.rend(pattern(command["length"], command.get("salt", 0)))
            emit({"event": "grams", "grams": [bytes(gram).hex() for gram in grams]})
    # Let what is queued go out before closing.
    for _ in range(1000):
        if not (peer.txms or peer.txgs or peer.txbs[1]):
            break
        peer.serviceAllTx()
finally:
    peer.close()
