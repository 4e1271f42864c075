"""A `ThreadingHTTPServer` with a bounded number of workers, for `recon serve-lookup`: a burst of
clients waits briefly for a free worker, then gets a JSON 503, instead of each getting a thread."""

from __future__ import annotations

import json
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class BoundedServer(ThreadingHTTPServer):
    """`ThreadingHTTPServer` answering at most `max_workers` requests at once. A connection
    accepted while all are busy waits up to `queue_seconds` for one (more wait unaccepted in the
    listen backlog), then is answered 503 with a JSON body and closed."""

    # Connections the kernel holds until one is accepted. socketserver's 5 was too few: twenty
    # clients connecting while the accepting thread waited for the GIL overflowed it, and TCP
    # retried the dropped ones a second later (the 1.3 s maxima of bench/lookup_load.py).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *, max_workers: int,
                 queue_seconds: float, log_requests: bool = True, bind: bool = True) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, not {max_workers}")
        super().__init__(address, handler, bind_and_activate=bind)
        self.max_workers, self.queue_seconds, self.log_requests = max_workers, queue_seconds, log_requests
        self._workers = threading.BoundedSemaphore(max_workers)

    def server_activate(self) -> None:
        super().server_activate()
        # Several processes may accept on this socket (`service.processes`): all are woken by a
        # connection, one gets it, and a blocking accept() would leave the others stuck until the
        # next one — unable even to shut down. Non-blocking, they just go back to waiting.
        self.socket.setblocking(False)

    def get_request(self) -> tuple[socket.socket, tuple]:
        request, client_address = super().get_request()
        request.setblocking(True)  # the connection itself is read and written with timeouts
        return request, client_address

    def process_request(self, request: socket.socket, client_address: tuple) -> None:
        if not self._workers.acquire(timeout=self.queue_seconds):
            self._refuse_busy(request, client_address)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._workers.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: tuple) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._workers.release()

    def handle_error(self, request: socket.socket, client_address: tuple) -> None:
        """A client that went away (reset, broken pipe): one line; anything else: the traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            if self.log_requests:
                sys.stderr.write(f"{client_address[0]} client went away ({type(error).__name__})\n")
            return
        super().handle_error(request, client_address)

    def _refuse_busy(self, request: socket.socket, client_address: tuple) -> None:
        """A 503 written by the accepting thread itself: one small send, never a wait."""
        message = f"all {self.max_workers} workers busy for {self.queue_seconds:g} s; retry shortly"
        try:
            request.setblocking(False)
            try:
                request.recv(65536)  # what the client sent: closing with it unread would reset the 503
            except OSError:
                pass
            request.send(raw_response(self.RequestHandlerClass.server_version, HTTPStatus.SERVICE_UNAVAILABLE,
                                      "服务繁忙，请稍后再试", message, "Retry-After: 1\r\n"))
        except OSError:
            pass
        finally:
            self.shutdown_request(request)
        if self.log_requests:
            sys.stderr.write(f"{client_address[0]} 503 {message}\n")


def raw_response(server: str, status: HTTPStatus, zh: str, en: str, extra_headers: str = "") -> bytes:
    """A whole JSON error response as bytes, for a socket no handler answers on."""
    body = json.dumps({"error": {"status": status.value, "zh": zh, "en": en}}, ensure_ascii=False).encode("utf-8")
    head = (f"HTTP/1.0 {status.value} {status.phrase}\r\nServer: {server}\r\n"
            f"Content-Type: application/json; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
            f"{extra_headers}Connection: close\r\n\r\n")
    return head.encode("ascii") + body


