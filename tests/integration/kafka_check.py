#!/usr/bin/python3
"""kafka_check.py - an independent Kafka client for weir's integration tests.

Runs only under Debian's /usr/bin/python3 (it has confluent_kafka).  Subcommands:

  consume -b SERVERS -t TOPIC [-n N] [--timeout S] [--idle S]
      Reads TOPIC from the beginning of every partition with assign() (no consumer group, so
      no 3 s join and nothing committed) and prints one JSON line per record:
      {"partition": 0, "offset": 0, "key": "k", "value": "{...}", "headers": [["h", "v"]],
       "key_hex": "6b"}
      key/value are decoded as UTF-8 (invalid bytes replaced), null stays null.  Stops after
      N records, after --idle seconds without a new record (once at least N were read, or
      when N is not given; at least 5 s before the first record), or at --timeout (exit
      status 1 when fewer than N arrived).

  produce -b SERVERS -t TOPIC [--delay-ms MS] [--partition P]
      Produces stdin lines "key<TAB>value" (a line without a tab has a null key; the value
      "<null>" is a tombstone), waits for every acknowledgement; exit 1 on a delivery error.
      --delay-ms paces the producer (a sleep between records) so a run can be stopped midway.

  partition KEY N
      Prints Kafka's default partition for the UTF-8 bytes of KEY among N partitions:
      toPositive(murmur2(key)) % N, as org.apache.kafka.common.utils.Utils computes it.

  check-partitions N
      Reads `consume` JSON lines on stdin and checks that every record with a key sits in
      partition toPositive(murmur2(key bytes)) % N, where Kafka's default partitioner (and
      librdkafka's murmur2_random) puts it.  Exit 1 on a mismatch or when no keyed record came.

  selftest
      Checks murmur2 against Kafka's own test vectors (exit 1 on a mismatch).
"""
import argparse
import json
import sys
import time


def murmur2(data: bytes) -> int:
    """org.apache.kafka.common.utils.Utils.murmur2, as a signed 32-bit int."""
    length = len(data)
    m = 0x5BD1E995
    r = 24
    mask = 0xFFFFFFFF
    h = (0x9747B28C ^ length) & mask
    n4 = length // 4
    for i in range(n4):
        i4 = i * 4
        k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24)
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h = (h * m) & mask
        h ^= k
    rest = length % 4
    base = length & ~3
    if rest == 3:
        h ^= data[base + 2] << 16
    if rest >= 2:
        h ^= data[base + 1] << 8
    if rest >= 1:
        h ^= data[base]
        h = (h * m) & mask
    h ^= h >> 13
    h = (h * m) & mask
    h ^= h >> 15
    return h - (1 << 32) if h & 0x80000000 else h


def kafka_partition(key: bytes, n: int) -> int:
    return (murmur2(key) & 0x7FFFFFFF) % n


# Kafka's UtilsTest.testMurmur2
MURMUR2_VECTORS = {
    b"21": -973932308,
    b"foobar": -790332482,
    b"a-little-bit-long-string": -985981536,
    b"a-little-bit-longer-string": -1486304829,
    b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    b"abc": 479470107,
}


def text(b):
    return None if b is None else b.decode("utf-8", "replace")


def cmd_consume(a):
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    c = Consumer({
        "bootstrap.servers": a.bootstrap,
        "group.id": "kafka_check",  # assign() needs one; no join, no commit
        "enable.auto.commit": False,
        "enable.partition.eof": False,
        "allow.auto.create.topics": False,
        "log_level": 0,
    })
    deadline = time.time() + a.timeout
    parts = None
    while parts is None and time.time() < deadline:
        md = c.list_topics(a.topic, timeout=5)
        t = md.topics.get(a.topic)
        if t is not None and t.error is None and t.partitions:
            parts = sorted(t.partitions)
        else:
            time.sleep(0.2)
    if parts is None:
        print(f"kafka_check: topic {a.topic} not found", file=sys.stderr)
        return 1
    c.assign([TopicPartition(a.topic, p, OFFSET_BEGINNING) for p in parts])
    got = 0
    last = time.time()
    while time.time() < deadline:
        if a.count is not None and got >= a.count and a.idle is None:
            break
        # before the first record, give the fetch path (connect, ListOffsets) a few seconds
        idle = a.idle if got else max(a.idle or 0, 5)
        if a.idle is not None and time.time() - last >= idle and (a.count is None or got >= a.count):
            break
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            continue
        last = time.time()
        got += 1
        key = m.key()
        print(json.dumps({
            "partition": m.partition(), "offset": m.offset(),
            "key": text(key), "value": text(m.value()),
            "headers": [[k, text(v)] for k, v in (m.headers() or [])],
            "key_hex": None if key is None else key.hex(),
        }, sort_keys=True), flush=True)
    c.close()
    if a.count is not None and got < a.count:
        print(f"kafka_check: {a.topic}: {got} of {a.count} records before the timeout", file=sys.stderr)
        return 1
    return 0


def cmd_produce(a):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": a.bootstrap, "linger.ms": 5, "log_level": 0,
                  "partitioner": "murmur2_random"})
    failed = []

    def on_delivery(err, msg):
        if err is not None:
            failed.append(str(err))

    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        key, sep, value = line.partition("\t")
        if not sep:
            key, value = None, line
        kw = {}
        if a.partition is not None:
            kw["partition"] = a.partition
        while True:
            try:
                p.produce(a.topic, key=None if key is None else key.encode(),
                          value=None if value == "<null>" else value.encode(),
                          on_delivery=on_delivery, **kw)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
        if a.delay_ms:
            time.sleep(a.delay_ms / 1000.0)
    left = p.flush(60)
    if left or failed:
        print(f"kafka_check: produce to {a.topic}: {left} unacknowledged, errors: {failed[:3]}",
              file=sys.stderr)
        return 1
    return 0


def cmd_selftest(a):
    bad = [(k, v, murmur2(k)) for k, v in MURMUR2_VECTORS.items() if murmur2(k) != v]
    for k, want, got in bad:
        print(f"murmur2({k!r}) = {got}, Kafka says {want}", file=sys.stderr)
    return 1 if bad else 0


def cmd_check_partitions(a):
    n = bad = 0
    for line in sys.stdin:
        r = json.loads(line)
        if r["key_hex"] is None:
            continue
        n += 1
        want = kafka_partition(bytes.fromhex(r["key_hex"]), a.n)
        if r["partition"] != want:
            bad += 1
            print(f"key {r['key']!r} in partition {r['partition']}, murmur2 says {want}", file=sys.stderr)
    if n == 0:
        print("check-partitions: no keyed record", file=sys.stderr)
    return 1 if bad or n == 0 else 0


def cmd_partition(a):
    print(kafka_partition(a.key.encode(), a.n))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("consume")
    c.add_argument("-b", "--bootstrap", required=True)
    c.add_argument("-t", "--topic", required=True)
    c.add_argument("-n", "--count", type=int)
    c.add_argument("--timeout", type=float, default=30)
    c.add_argument("--idle", type=float)
    p = sub.add_parser("produce")
    p.add_argument("-b", "--bootstrap", required=True)
    p.add_argument("-t", "--topic", required=True)
    p.add_argument("--delay-ms", type=float, default=0)
    p.add_argument("--partition", type=int)
    k = sub.add_parser("partition")
    k.add_argument("key")
    k.add_argument("n", type=int)
    cp = sub.add_parser("check-partitions")
    cp.add_argument("n", type=int)
    sub.add_parser("selftest")
    a = ap.parse_args()
    return {"consume": cmd_consume, "produce": cmd_produce, "partition": cmd_partition,
            "selftest": cmd_selftest, "check-partitions": cmd_check_partitions}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
