#!/usr/bin/env python3
"""A Baton agent in Python, standard library only: STOMP 1.2 over a TCP socket.

It takes tickets from the anycast queue baton.agent.<name> one at a time, reports progress and
its outcome on baton.results (with the ticket's correlation id), acknowledges the ticket only
after the broker has taken the reply, publishes heartbeats on baton.heartbeats, stops the
current ticket when Baton publishes a cancel message on baton.control.<name>, and shuts down
cleanly on SIGTERM or Ctrl-C (an unfinished ticket goes back to the queue for another instance).
When the broker goes away (Baton restarts, the network drops) it stops the ticket it was working on
without acknowledging it, so the broker delivers it again, and reconnects with exponential back-off
(0.5 s doubling up to --reconnect-max seconds, with jitter), also when the broker is not up yet at start.

    python3 agent.py --agent writer [--host 127.0.0.1] [--port 61613] [--heartbeat 15] [--work-seconds 0]
                     [--reconnect-max 30]

Broker login from the environment: BATON_BROKER_USER and BATON_BROKER_PASSWORD (if set).
Replace work() with what your agent really does.
"""

import argparse
import datetime
import json
import os
import queue
import random
import signal
import socket
import sys
import threading
import time


def log(*parts):
    print(f"{datetime.datetime.now().isoformat(timespec='milliseconds')} agent:", *parts, flush=True)


class Cancelled(Exception):
    """The ticket was cancelled by Baton, the agent is shutting down or lost the broker: stop without replying."""


def work(ticket, progress, check):
    """The agent's job: returns the output (any JSON value) or raises an exception to fail.

    progress(percent, message) reports progress (it also renews the ticket's lease); check() raises
    Cancelled when the ticket was cancelled - call it between steps of long work.
    """
    steps = max(1, int(ARGS.work_seconds * 10))
    for step in range(steps):
        check()
        if step % 10 == 0:
            progress(int(100 * step / steps), f"working on {ticket['stage']}")
        time.sleep(ARGS.work_seconds / steps)
    check()
    value = ticket.get("input")
    return {
        "agent": ticket["agent"],
        "language": "python",
        "input": value,
        "answer": value.upper() if isinstance(value, str) else value,
    }


# --- STOMP 1.2 -------------------------------------------------------------------------------------

def escape(value):
    return str(value).replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace(":", "\\c")


def unescape(value):
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            i += 1
            c = {"c": ":", "n": "\n", "r": "\r", "\\": "\\"}.get(value[i], value[i])
        out.append(c)
        i += 1
    return "".join(out)


class Stomp:
    """One STOMP connection: frames out under a lock, frames in from a reader thread."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.sock.settimeout(None)
        self.file = self.sock.makefile("rb")
        self.lock = threading.Lock()
        self.receipts = {}
        self.next_receipt = 0
        self.closed = False

    def send(self, command, headers, body=None):
        """Sends a frame. Bodies are JSON text, which never contains a NUL byte, so no content-length is
        sent: Artemis then delivers a JMS TextMessage, as Baton's own messages are (with content-length it
        would be a BytesMessage, which Baton accepts too but plain JMS listeners may not)."""
        frame = [command]
        frame += [f"{escape(k)}:{escape(v)}" for k, v in headers.items()]
        data = b"" if body is None else body.encode("utf-8")
        raw = ("\n".join(frame) + "\n\n").encode("utf-8") + data + b"\0"
        with self.lock:
            self.sock.sendall(raw)

    def send_and_wait(self, command, headers, body=None, timeout=30):
        """Sends a frame with a receipt header and waits until the broker has processed it."""
        with self.lock:
            self.next_receipt += 1
            rid = f"r{self.next_receipt}"
            done = self.receipts[rid] = threading.Event()
        self.send(command, dict(headers, receipt=rid), body)
        if not done.wait(timeout):
            raise TimeoutError(f"no RECEIPT for {command} within {timeout}s")
        self.receipts.pop(rid, None)
        if self.closed:
            raise ConnectionError(f"the connection closed before the RECEIPT for {command}")

    def beat(self):
        with self.lock:
            self.sock.sendall(b"\n")

    def read(self):
        """The next frame as (command, headers, body bytes); None when the connection is closed."""
        line = b"\n"
        while line in (b"\n", b"\r\n"):  # heart-beats
            line = self.file.readline()
            if not line:
                return None
        command = line.decode("utf-8").rstrip("\r\n")
        headers = {}
        while True:
            line = self.file.readline().decode("utf-8").rstrip("\r\n")
            if not line:
                break
            key, _, value = line.partition(":")
            headers.setdefault(unescape(key), unescape(value))  # the first of a repeated header wins
        if "content-length" in headers:
            body = self.file.read(int(headers["content-length"]))
            self.file.read(1)  # the NUL
        else:
            chunks = []
            while (b := self.file.read(1)) not in (b"\0", b""):
                chunks.append(b)
            body = b"".join(chunks)
        return command, headers, body

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


# --- the agent -------------------------------------------------------------------------------------

class Agent:
    def __init__(self, args):
        self.args = args
        self.name = args.agent
        self.instance = args.instance or f"{socket.gethostname()}-{os.getpid()}"
        self.tickets = queue.Queue()
        self.stopping = threading.Event()   # asked to stop (SIGTERM, Ctrl-C)
        self.lost = threading.Event()       # the current connection is gone
        self.lost.set()
        self.current = None          # (ticketId, attempt) being worked on
        self.cancelled = set()       # (ticketId, attempt) Baton cancelled
        self.state = threading.Lock()
        self.stomp = None

    def connect(self):
        """Opens a new connection with its own ticket queue; the frames of an older one are never mixed in."""
        self.tickets = queue.Queue()
        self.stomp = Stomp(self.args.host, self.args.port)
        headers = {"accept-version": "1.2", "host": self.args.host, "heart-beat": "10000,0",
                   "client-id": self.instance}
        if os.environ.get("BATON_BROKER_USER"):
            headers["login"] = os.environ["BATON_BROKER_USER"]
            headers["passcode"] = os.environ.get("BATON_BROKER_PASSWORD", "")
        self.stomp.send("CONNECT", headers)
        frame = self.stomp.read()
        if frame is None or frame[0] != "CONNECTED":
            detail = frame[1].get("message", "") + " " + frame[2].decode("utf-8", "replace") if frame else "closed"
            self.stomp.close()
            raise ConnectionError(f"broker refused the connection: {detail.strip()}")
        self.lost.clear()
        threading.Thread(target=self.reader, args=(self.stomp, self.tickets), name="stomp-reader",
                         daemon=True).start()
        # One unacknowledged ticket at a time, so that other instances of this agent get the rest.
        self.stomp.send_and_wait("SUBSCRIBE", {"id": "tickets", "destination": f"baton.agent.{self.name}",
                                               "subscription-type": "ANYCAST", "ack": "client-individual",
                                               "consumer-window-size": "0"})
        self.stomp.send_and_wait("SUBSCRIBE", {"id": "control", "destination": f"baton.control.{self.name}",
                                               "subscription-type": "MULTICAST", "ack": "auto"})
        log(f"{self.name} ({self.instance}) connected to {self.args.host}:{self.args.port}")

    def reader(self, stomp, tickets):
        while True:
            try:
                frame = stomp.read()
            except (OSError, ValueError):
                frame = None
            if frame is None:
                if not self.stopping.is_set() and stomp is self.stomp:
                    log("connection lost")
                stomp.closed = True
                for waiting in list(stomp.receipts.values()):
                    waiting.set()  # nobody waits 30 s for a RECEIPT that cannot come
                if stomp is self.stomp:  # an older connection's end says nothing about the current one
                    self.lost.set()
                tickets.put(None)
                return
            command, headers, body = frame
            if command == "RECEIPT":
                done = stomp.receipts.get(headers.get("receipt-id"))
                if done:
                    done.set()
            elif command == "ERROR":
                log("broker error:", headers.get("message", ""), body.decode("utf-8", "replace").strip())
            elif command == "MESSAGE" and headers.get("subscription") == "control":
                self.on_control(body)
            elif command == "MESSAGE":
                tickets.put((headers, body))

    def on_control(self, body):
        try:
            msg = json.loads(body.decode("utf-8"))
        except ValueError:
            return
        if msg.get("type") == "cancel":
            key = (msg.get("ticketId"), msg.get("attempt"))
            with self.state:
                self.cancelled.add(key)
            if key == self.current:
                log(f"cancel ticket {key[0]} attempt {key[1]}: {msg.get('reason', '')}")

    def heartbeats(self):
        """Runs for the life of the agent; while the broker is away there is nothing to send."""
        next_beat = 0.0
        while not self.stopping.is_set():
            now = time.monotonic()
            if self.lost.is_set():
                next_beat = 0.0  # the first beat goes out as soon as a connection is back
                self.stopping.wait(0.2)
                continue
            try:
                if now >= next_beat:
                    body = {"type": "heartbeat", "agent": self.name, "instance": self.instance,
                            "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
                            .replace("+00:00", "Z"),
                            "capabilities": self.args.capability, "load": 0 if self.current is None else 1}
                    self.stomp.send("SEND", {"destination": "baton.heartbeats", "destination-type": "MULTICAST",
                                             "content-type": "application/json"}, json.dumps(body))
                    next_beat = now + self.args.heartbeat
                else:
                    self.stomp.beat()  # STOMP heart-beat: we promised one every 10 s
            except OSError:
                pass  # the reader sees the connection go, and the agent reconnects
            self.stopping.wait(min(5.0, self.args.heartbeat))

    def reply(self, ticket, headers, fields):
        body = dict({"ticketId": ticket["ticketId"], "attempt": ticket["attempt"]}, **fields)
        # The reply must reach the broker before the ticket is acknowledged: wait for its RECEIPT.
        self.stomp.send_and_wait("SEND", {"destination": "baton.results", "destination-type": "ANYCAST",
                                          "correlation-id": headers.get("correlation-id", ticket["ticketId"]),
                                          "persistent": "true", "content-type": "application/json"},
                                 json.dumps(body))

    def handle(self, headers, body):
        try:
            ticket = json.loads(body.decode("utf-8"))
            key = (ticket["ticketId"], ticket["attempt"])
        except (ValueError, KeyError, TypeError) as e:
            log(f"not a ticket ({e}); acknowledged and dropped")
            self.stomp.send("ACK", {"id": headers["ack"]})
            return
        with self.state:
            self.current = key
        log(f"ticket {key[0]} attempt {key[1]} stage {ticket.get('stage')}: input {json.dumps(ticket.get('input'))}")

        def check():
            with self.state:
                cancelled = key in self.cancelled
            if cancelled or self.stopping.is_set() or self.lost.is_set():
                raise Cancelled()

        def progress(percent, message):
            self.reply(ticket, headers, {"status": "progress", "percent": percent, "message": message})

        try:
            try:
                output = work(ticket, progress, check)
                self.reply(ticket, headers, {"status": "succeeded", "output": output})
                log(f"ticket {key[0]} attempt {key[1]} succeeded")
            except Cancelled:
                if self.stopping.is_set():
                    log(f"ticket {key[0]} attempt {key[1]} left for another instance (shutting down)")
                    return  # not acknowledged: the broker gives it to another consumer
                if self.lost.is_set():
                    log(f"ticket {key[0]} attempt {key[1]} stopped: the broker went away; it delivers the ticket "
                        "again once it is back")
                    return  # the acknowledgement could not reach it: the ticket is still on its queue
                log(f"ticket {key[0]} attempt {key[1]} cancelled; stopped")
            except Exception as e:  # the work failed: Baton retries it if the stage allows
                self.reply(ticket, headers, {"status": "failed",
                                             "error": {"message": f"{type(e).__name__}: {e}", "retryable": True}})
                log(f"ticket {key[0]} attempt {key[1]} failed: {e}")
            self.stomp.send("ACK", {"id": headers["ack"]})
        except (OSError, TimeoutError) as e:
            # A reply or ACK that did not reach the broker: the ticket comes again; Baton applies a reply once.
            log(f"ticket {key[0]} attempt {key[1]} interrupted, the broker went away ({e}); it comes again")
            self.lost.set()
        finally:
            with self.state:
                self.current = None
                self.cancelled.discard(key)

    def run(self):
        threading.Thread(target=self.heartbeats, name="heartbeats", daemon=True).start()
        delay = 0.0
        while not self.stopping.is_set():
            try:
                self.connect()
            except (ConnectionError, OSError, TimeoutError) as e:
                self.lost.set()
                if self.stomp is not None:
                    self.stomp.close()
                delay = min(self.args.reconnect_max, max(0.5, delay * 2))
                wait = delay * random.uniform(0.8, 1.0)
                log(f"cannot connect to {self.args.host}:{self.args.port} ({e}); next try in {wait:.1f}s")
                self.stopping.wait(wait)
                continue
            delay = 0.0
            self.serve()
            if not self.stopping.is_set():
                self.stomp.close()
                log("reconnecting")
        self.shutdown()

    def serve(self):
        """Handles tickets until the connection is lost or the agent is asked to stop."""
        tickets = self.tickets
        while not self.stopping.is_set() and not self.lost.is_set():
            item = tickets.get()
            if item is None or self.stopping.is_set():
                return
            self.handle(*item)

    def stop(self, *_):
        if not self.stopping.is_set():
            log("stopping")
        self.stopping.set()
        self.tickets.put(None)

    def shutdown(self):
        if self.stomp is not None and not self.lost.is_set():
            try:
                self.stomp.send_and_wait("UNSUBSCRIBE", {"id": "tickets"}, timeout=5)
                self.stomp.send_and_wait("DISCONNECT", {}, timeout=5)
            except (OSError, TimeoutError):
                pass
        if self.stomp is not None:
            self.stomp.close()
        log("stopped")


def main():
    global ARGS
    p = argparse.ArgumentParser(description="A Baton agent speaking STOMP (standard library only).")
    p.add_argument("--agent", required=True, help="agent name: tickets come from baton.agent.<name>")
    p.add_argument("--host", default=os.environ.get("BATON_STOMP_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("BATON_STOMP_PORT", "61613")),
                   help="the broker's STOMP port (baton.broker.stomp.port, default 61613)")
    p.add_argument("--instance", help="instance id in heartbeats (default host-pid)")
    p.add_argument("--capability", action="append", default=[], help="a capability to announce (repeatable)")
    p.add_argument("--heartbeat", type=float, default=15.0, help="seconds between heartbeats (default 15)")
    p.add_argument("--work-seconds", type=float, default=0.0, help="simulated work per ticket (default 0)")
    p.add_argument("--reconnect-max", type=float, default=30.0,
                   help="longest wait in seconds between two tries to reach the broker (default 30)")
    ARGS = p.parse_args()
    if ARGS.heartbeat <= 0 or ARGS.work_seconds < 0 or ARGS.reconnect_max < 0.5:
        p.error("--heartbeat must be positive, --work-seconds not negative and --reconnect-max at least 0.5")

    agent = Agent(ARGS)
    signal.signal(signal.SIGTERM, agent.stop)
    signal.signal(signal.SIGINT, agent.stop)
    agent.run()
    return 0


ARGS = None

if __name__ == "__main__":
    sys.exit(main())
