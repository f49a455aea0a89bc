# A sign-in flood against a running Trellis (`python3 docs/tools/signin_flood.py URL [right]`):
# 400 sign-ins, 40 at once, from one address, wrong passwords (or, with
# `right`, the right one: Argon2 work), while `/healthz` is timed.
import json, sys, time, threading, urllib.request, statistics, concurrent.futures as cf
base = sys.argv[1]
def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r: return r.status
    except urllib.error.HTTPError as e: return e.code
post("/api/v1/accounts", {"username": "ada", "password": "a long enough password"})
codes = {}
lat = []
stop = False
def health():
    while not stop:
        t = time.perf_counter()
        urllib.request.urlopen(base + "/healthz", timeout=30).read()
        lat.append((time.perf_counter() - t) * 1000)
        time.sleep(0.02)
h = threading.Thread(target=health); h.start()
t0 = time.perf_counter()
with cf.ThreadPoolExecutor(40) as ex:
    right = len(sys.argv) > 2 and sys.argv[2] == "right"
    password = lambda i: "a long enough password" if right else "wrong password %d" % i
    for c in ex.map(lambda i: post("/api/v1/auth/login", {"username": "ada", "password": password(i)}), range(400)):
        codes[c] = codes.get(c, 0) + 1
took = time.perf_counter() - t0
stop = True; h.join()
lat.sort()
print("400 %s sign-ins, 40 at once, one address:" % ("right" if right else "wrong"), dict(sorted(codes.items())), "in %.1f s" % took)
print("/healthz during the flood: n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms" % (len(lat), statistics.median(lat), lat[int(len(lat)*0.99)-1], lat[-1]))
