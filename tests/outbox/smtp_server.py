"""A local SMTP server for the tests (aiosmtpd), never the internet: it keeps what it
receives and can be told to hold a command (to kill the sending worker meanwhile) or refuse."""

import asyncio
import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self):
        self.messages = []  # email.message.EmailMessage, in arrival order
        self.hold = None  # "RCPT" or "DATA": wait at that command until released
        self.reached = threading.Event()
        self.release = threading.Event()
        self.refuse_rcpt = None  # e.g. "550 5.1.1 no such user"

    async def _maybe_hold(self, command):
        if self.hold == command:
            self.reached.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 20)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        await self._maybe_hold("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Kept first, then held: the message has arrived but its 250 reply has not been sent.
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        await self._maybe_hold("DATA")
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.recorder = Recorder()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=_free_port())

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.recorder.release.set()
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def messages(self):
        return self.recorder.messages


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
