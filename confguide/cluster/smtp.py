"""A mail sink for the local cluster: speaks enough SMTP for Django, keeps every message.

    python -m confguide.cluster.smtp --port 8025 --dir .cluster/mail

The worker sends through it with EMAIL_BACKEND=smtp as in production; each
message is written to its own file in --dir (`<nanoseconds>-<n>.eml`, complete
before it appears), so anyone can count what was sent. It accepts every
sender and recipient and never delivers anything.
"""

from __future__ import annotations

import argparse
import itertools
import socketserver
import time
from pathlib import Path

# RFC 5321's limit for a command line; text lines may be longer (998 + CRLF).
MAX_LINE = 1000
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
_numbers = itertools.count(1)


class Handler(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 confguide-cluster mail sink")
        while True:
            line = self.rfile.readline(MAX_LINE + 2)
            if not line:
                return
            verb = line.decode("ascii", "replace").strip()[:4].upper()
            if verb == "EHLO":
                self.reply("250-confguide-cluster", "250-8BITMIME", "250 SMTPUTF8")
            elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                if not self.keep(self.read_message()):
                    self.reply("552 Message too large")
                    return
                self.reply("250 OK: kept")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def read_message(self) -> bytes | None:
        lines, size = [], 0
        while True:
            line = self.rfile.readline(MAX_MESSAGE_BYTES)
            if not line or line in (b".\r\n", b".\n"):
                return b"".join(lines) if size <= MAX_MESSAGE_BYTES else None
            size += len(line)
            if size <= MAX_MESSAGE_BYTES:
                # Dot-stuffing: a line the client began with "." had a dot added.
                lines.append(line[1:] if line.startswith(b"..") else line)

    def keep(self, message: bytes | None) -> bool:
        if message is None:
            return False
        folder: Path = self.server.folder
        name = f"{time.time_ns()}-{next(_numbers)}"
        partial = folder / f".{name}.partial"
        partial.write_bytes(message)
        partial.replace(folder / f"{name}.eml")
        return True


class Sink(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int, folder: Path) -> None:
        self.folder = folder
        super().__init__(("127.0.0.1", port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True)
    arguments = parser.parse_args()
    arguments.dir.mkdir(parents=True, exist_ok=True)
    with Sink(arguments.port, arguments.dir) as sink:
        sink.serve_forever()


if __name__ == "__main__":
    main()
