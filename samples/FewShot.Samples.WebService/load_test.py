"""Load test of the web service: bursts of large-but-allowed adapt and predict requests from many users, with the
service's resident memory (VmRSS) read before, at its peak and after. Started by load-test.sh, which runs the service.

usage: python3 load_test.py --url http://127.0.0.1:5187 --pid <service pid> [--users 12] [--bursts 2] [--examples 512]

Every request and the whole run are bounded in time; the run stops by itself within --budget seconds.
"""
import argparse
import http.client
import json
import random
import threading
import time
import urllib.parse

MB = 1024 * 1024


def rss_bytes(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f'no VmRSS for process {pid}')


class RssSampler(threading.Thread):
    """Reads the service's VmRSS every 50 ms and keeps the highest."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0, threading.Event()

    def run(self):
        while not self.stopped.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            time.sleep(0.05)


def post(url, path, body, timeout):
    """POSTs body (bytes); returns (status, headers, text). A refused large body may close the connection early."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.putrequest('POST', path)
        connection.putheader('Content-Type', 'application/json')
        connection.putheader('Content-Length', str(len(body)))
        connection.endheaders()
        try:
            for start in range(0, len(body), 1 << 20):
                connection.send(body[start:start + (1 << 20)])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the service answered before reading the whole body; the answer is still there to read
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode('utf-8', 'replace')
    finally:
        connection.close()


def post_chunked(url, path, size):
    """POSTs a body of about size bytes without Content-Length (chunked), which only the server's read limit can stop."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    chunk = b' ' * (1 << 16)

    def body():
        yield b'{"examples": ['
        for _ in range(size // len(chunk)):
            yield chunk
        yield b']}'

    try:
        try:
            connection.request('POST', path, body=body(), headers={'Content-Type': 'application/json'}, encode_chunked=True)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = connection.getresponse()
        return response.status, response.read().decode('utf-8', 'replace')
    finally:
        connection.close()


def examples(rng, count, size):
    # Six decimals: about 9 bytes per float, so a request of 512 examples is a few MB, under the default body limit.
    return [[round(rng.random(), 6) if rng.random() < 0.3 else 0.0 for _ in range(size)] for _ in range(count)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--url', required=True)
    parser.add_argument('--pid', type=int, required=True)
    parser.add_argument('--users', type=int, default=12)
    parser.add_argument('--bursts', type=int, default=2)
    parser.add_argument('--examples', type=int, default=512)
    parser.add_argument('--idle', type=float, default=10.0, help='seconds of idleness before the final reading')
    parser.add_argument('--budget', type=float, default=80.0, help='seconds the whole run may take')
    args = parser.parse_args()
    started = time.monotonic()
    deadline = started + args.budget

    health = None
    while health is None:
        try:
            connection = http.client.HTTPConnection(urllib.parse.urlsplit(args.url).hostname, urllib.parse.urlsplit(args.url).port, timeout=2)
            connection.request('GET', '/health')
            health = json.loads(connection.getresponse().read())
        except OSError:
            if time.monotonic() > started + 30:
                raise SystemExit('the service did not answer /health within 30 s')
            time.sleep(0.2)
    size = health['exampleSize']
    rng = random.Random(14)
    classes = ['a', 'b', 'c', 'd', 'e']
    adapt_body = json.dumps({'examples': examples(rng, args.examples, size),
                             'labels': [classes[i % len(classes)] for i in range(args.examples)]}).encode()
    predict_body = json.dumps({'examples': examples(rng, args.examples, size)}).encode()
    small = json.dumps({'examples': examples(rng, 5, size), 'labels': classes}).encode()
    post(args.url, '/users/warmup/adapt', small, 60)
    start = rss_bytes(args.pid)
    print(f'model {health["model"]}, {size} floats per example')
    print(f'rss start: {start / MB:.0f} MB (after startup and one 5-example adapt)')

    sampler = RssSampler(args.pid)
    sampler.start()
    huge = json.dumps({'examples': examples(rng, 6000, size), 'labels': [classes[i % 5] for i in range(6000)]}).encode()
    began = time.monotonic()
    status, _, text = post(args.url, '/users/huge/adapt', huge, 60)
    detail = json.loads(text).get('detail') if text.startswith('{') else text[:200]
    print(f'6000-example adapt ({len(huge) / MB:.1f} MB): {status} in {time.monotonic() - began:.2f} s: {detail}')
    del huge
    status, text = post_chunked(args.url, '/users/huge/predict', 8 * MB)
    detail = json.loads(text).get('detail') if text.startswith('{') else text[:200]
    print(f'8 MB chunked predict (no Content-Length): {status}: {detail}')

    counts, lock = {}, threading.Lock()

    def user(name):
        for path, body in ((f'/users/{name}/adapt', adapt_body), (f'/users/{name}/predict', predict_body)):
            while time.monotonic() < deadline - args.idle - 5:
                status, headers, _ = post(args.url, path, body, max(1.0, deadline - time.monotonic()))
                with lock:
                    counts[status] = counts.get(status, 0) + 1
                if status != 503:
                    break
                time.sleep(float(headers.get('Retry-After', '1')))

    for burst in range(args.bursts):
        began, counts = time.monotonic(), {}
        threads = [threading.Thread(target=user, args=(f'b{burst}u{i}',)) for i in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        answers = ', '.join(f'{status}×{n}' for status, n in sorted(counts.items()))
        print(f'burst {burst + 1}: {args.users} users, adapt + predict of {args.examples} examples each '
              f'({len(adapt_body) / MB:.1f} + {len(predict_body) / MB:.1f} MB): {answers} in {time.monotonic() - began:.1f} s, '
              f'rss {rss_bytes(args.pid) / MB:.0f} MB at its end')

    time.sleep(max(0.0, min(args.idle, deadline - time.monotonic() - 1)))
    sampler.stopped.set()
    after = rss_bytes(args.pid)
    print(f'rss: start {start / MB:.0f} MB, peak {sampler.peak / MB:.0f} MB, after {args.idle:.0f} s idle {after / MB:.0f} MB')


if __name__ == '__main__':
    main()
