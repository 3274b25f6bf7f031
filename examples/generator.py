#!/usr/bin/python3
"""examples/generator.py - realistic events for the examples, produced to Kafka at a steady rate.

    /usr/bin/python3 examples/generator.py --bootstrap HOST:PORT [--rate N] [--seconds T]
        [--scenario fraud|iot|all] [--seed S] [--malformed P] [--stats FILE] [--echo]

Scenarios (topic names, keys and fields are those the examples declare):
  fraud  card transactions to `transactions`, key = card number (examples/fraud): mostly
         everyday purchases and cash withdrawals in the card holder's home country, with
         occasional suspicious patterns: a large purchase abroad, a large withdrawal, a
         card-testing burst (a few tiny online charges abroad, then a large one), near misses
         just under the rule's threshold (which must not alert), and withdrawal bursts (6 to 8
         ordinary ATM withdrawals on one card within seconds: the velocity rule,
         examples/fraud/velocity.sql, alerts on more than 5 per card in 5 minutes).
  iot    sensor readings to `sensor-readings`, key = sensor id (examples/iot): temperature,
         humidity and pressure sensors on four sites drifting around their normal level, with
         occasional episodes (a machine overheating, a pressure surge, a humid room) that cross
         the thresholds for a few readings and come back; each reading also carries the device's
         battery level.
  all    both, interleaved (60 % transactions).
A small share of records (--malformed, default 0.006, and always one within the first 40
events) is broken the way real producers break them: truncated JSON, a CSV line from a legacy
terminal, a number sent as text.  weir writes those to its processing log and goes on.

Pacing: records are produced on a fixed schedule (record i at start + i / rate), so the rate is
steady whatever the broker's latency.  The event sequence depends only on --seed (default 7);
timestamps are the wall clock at send time, in milliseconds, in the record's `ts` field and as
the Kafka timestamp.  Stops after --seconds (0: until SIGINT/SIGTERM); then flushes, prints a
summary line on stderr and, with --stats, writes the counts as JSON.
Needs Debian's python3-confluent-kafka (run it with /usr/bin/python3).
"""
import argparse
import json
import random
import signal
import sys
import time

try:
    from confluent_kafka import Producer
except ImportError:  # pragma: no cover - explained, not a traceback
    sys.exit("generator.py: python3-confluent-kafka is missing (make deps installs it; "
             "run with /usr/bin/python3)")

FRAUD_TOPIC = "transactions"
IOT_TOPIC = "sensor-readings"

# ------------------------------------------------------------------ card transactions

HOME_COUNTRIES = ["DE", "DE", "DE", "FR", "FR", "GB", "ES", "IT", "NL", "IE", "US"]
CURRENCY = {"DE": "EUR", "FR": "EUR", "ES": "EUR", "IT": "EUR", "NL": "EUR", "IE": "EUR",
            "PT": "EUR", "AT": "EUR", "GB": "GBP", "US": "USD", "CH": "CHF", "TR": "TRY",
            "TH": "THB", "NG": "NGN", "BR": "BRL", "AE": "AED", "RU": "RUB", "CN": "CNY",
            "MX": "MXN", "PH": "PHP"}
HOLIDAY_COUNTRIES = ["ES", "PT", "IT", "FR", "AT", "GB", "US", "TR", "TH", "CH"]
RISKY_COUNTRIES = ["NG", "BR", "AE", "RU", "CN", "MX", "PH", "TH", "US", "TR"]

MERCHANTS = {  # category -> (names, channels, typical amount median, spread)
    "grocery": (["FreshMart", "Corner Market", "Biomarkt Linde", "Super Prix"], ["pos", "contactless"], 38, 0.7),
    "bakery": (["Bakery Sonne", "Le Fournil", "Panaderia Sol"], ["contactless"], 7, 0.5),
    "fuel": (["Fuelstop", "Autohof 24", "PetroLine"], ["pos", "contactless"], 65, 0.4),
    "restaurant": (["Trattoria Roma", "Noodle Bar", "Cafe Central", "Burger Hut"], ["pos", "contactless"], 34, 0.6),
    "transport": (["City Transit", "RailOne", "TaxiGo"], ["ecommerce", "contactless"], 18, 0.8),
    "online": (["ShopNow.com", "BookWorld Online", "StreamFlix", "AppHub"], ["ecommerce"], 25, 1.0),
    "fashion": (["Urban Threads", "Modehaus Kern", "Sneaker Lab"], ["pos", "ecommerce"], 70, 0.7),
    "electronics": (["MegaTech", "Pixel & Co", "GadgetPoint"], ["pos", "ecommerce"], 160, 0.9),
    "travel": (["SkyJet Airlines", "Hotel Miramar", "RentaCar"], ["ecommerce"], 240, 0.7),
}
CATEGORY_WEIGHTS = [("grocery", 30), ("bakery", 12), ("fuel", 10), ("restaurant", 16),
                    ("transport", 10), ("online", 12), ("fashion", 5), ("electronics", 3),
                    ("travel", 2)]
HIGH_VALUE = ["Gold & Diamond Jewellers", "LuxWatch Boutique", "MegaTech", "Pixel & Co",
              "GiftCards Direct", "CryptoXchange"]
TESTING_MERCHANTS = ["GiftCards Direct", "AppHub", "StreamFlix", "Charity Donate Online"]
BANKS = ["Stadtbank", "Banque Ouest", "Northern Bank", "Caja Sur", "Banca Centro"]


def luhn_card(rng):
    """A 16-digit Visa-like number that passes the Luhn check, as 4xxx-xxxx-xxxx-xxxx."""
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):  # the check digit will sit right of these
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return "-".join(s[i:i + 4] for i in range(0, 16, 4))


class Fraud:
    """Card transactions with occasional suspicious patterns."""

    def __init__(self, rng, ncards=400):
        self.rng = rng
        self.cards = []
        for i in range(ncards):
            home = rng.choice(HOME_COUNTRIES)
            self.cards.append({"card": luhn_card(rng), "customer": "cus-%05d" % (10000 + i * 7),
                               "home": home, "spend": rng.uniform(0.6, 1.8)})
        self.pending = []   # queued events of a multi-event pattern (card-testing burst)
        self.seq = 0
        self.suspicious = 0  # events the fraud rules should flag
        self.velocity = []   # cards given a withdrawal burst (the velocity rule should flag)

    def _txn(self, card, kind, amount, merchant, country, channel):
        self.seq += 1
        return {"key": card["card"], "value": {
            "txn_id": "tx-%07d" % self.seq, "kind": kind, "amount": round(amount, 2),
            "currency": CURRENCY.get(country, "USD"), "merchant": merchant,
            "country": country, "home_country": card["home"], "customer": card["customer"],
            "channel": channel}}

    def _everyday(self, card):
        rng = self.rng
        abroad = rng.random() < 0.05
        country = rng.choice([c for c in HOLIDAY_COUNTRIES if c != card["home"]]) if abroad else card["home"]
        if rng.random() < 0.1:
            amount = rng.choice([20, 50, 50, 100, 100, 150, 200, 300, 400])
            return self._txn(card, "withdrawal", amount,
                             "ATM %s %d" % (rng.choice(BANKS), rng.randrange(100, 999)), country, "atm")
        cat = rng.choices([c for c, _ in CATEGORY_WEIGHTS], [w for _, w in CATEGORY_WEIGHTS])[0]
        names, channels, median, spread = MERCHANTS[cat]
        amount = min(median * card["spend"] * rng.lognormvariate(0, spread), 950.0)
        return self._txn(card, "purchase", max(amount, 0.5), rng.choice(names), country,
                         rng.choice(channels))

    def next(self):
        if self.pending:
            ev = self.pending.pop(0)
            if ev.pop("flag", False):
                self.suspicious += 1
            return ev
        rng = self.rng
        card = rng.choice(self.cards)
        r = rng.random()
        if r < 0.010:   # large purchase abroad: LARGE_FOREIGN
            self.suspicious += 1
            country = rng.choice([c for c in RISKY_COUNTRIES if c != card["home"]])
            return self._txn(card, "purchase", rng.uniform(1000, 9800), rng.choice(HIGH_VALUE),
                             country, rng.choice(["ecommerce", "pos"]))
        if r < 0.017:   # large cash withdrawal (at home, skimmed card or not): LARGE_WITHDRAWAL
            self.suspicious += 1
            return self._txn(card, "withdrawal", rng.choice([2000, 2500, 3000, 4000, 5000]),
                             "ATM %s %d" % (rng.choice(BANKS), rng.randrange(100, 999)),
                             card["home"], "atm")
        if r < 0.021:   # card testing: tiny online charges abroad, then the real hit
            country = rng.choice([c for c in RISKY_COUNTRIES if c != card["home"]])
            for _ in range(rng.randrange(3, 6)):
                self.pending.append(self._txn(card, "purchase", rng.uniform(0.5, 2.0),
                                              rng.choice(TESTING_MERCHANTS), country, "ecommerce"))
            hit = self._txn(card, "purchase", rng.uniform(1500, 6000), rng.choice(HIGH_VALUE),
                            country, "ecommerce")
            hit["flag"] = True
            self.pending.append(hit)
            return self.next()
        if r < 0.033 and time.time() * 1000 % 300000 < 290000:
            # withdrawal burst: 6 to 8 ordinary withdrawals at home within a second or so, all
            # in one 5-minute window (none starts in a window's last 10 s): VELOCITY
            self.velocity.append(card["card"])
            for _ in range(rng.randrange(6, 9)):
                self.pending.append(self._txn(card, "withdrawal", rng.choice([100, 200, 250, 400]),
                                              "ATM %s %d" % (rng.choice(BANKS), rng.randrange(100, 999)),
                                              card["home"], "atm"))
            return self.next()
        if r < 0.037:   # near miss: just under the 1000 threshold abroad, must not alert
            country = rng.choice([c for c in RISKY_COUNTRIES if c != card["home"]])
            return self._txn(card, "purchase", rng.uniform(900, 999.99), rng.choice(HIGH_VALUE),
                             country, "ecommerce")
        return self._everyday(card)

    def malformed(self):
        rng = self.rng
        card = rng.choice(self.cards)
        kind = rng.randrange(3)
        if kind == 0:   # truncated JSON (a producer crashed mid-write)
            text = json.dumps(self._txn(card, "purchase", 12.5, "FreshMart", card["home"], "pos")["value"],
                              separators=(",", ":"))
            return {"key": card["card"], "raw": text[:rng.randrange(20, len(text) - 5)]}
        if kind == 1:   # a legacy terminal sending CSV instead of JSON
            return {"key": card["card"], "raw": "TXN;%s;PURCHASE;12,50;EUR;%s" % (card["card"], card["home"])}
        ev = self._txn(card, "purchase", 0, "Corner Market", card["home"], "pos")
        ev["value"]["amount"] = rng.choice(["12,50", "N/A", "EUR 30.00"])  # number as text
        return ev


# ------------------------------------------------------------------ sensor readings

SITES = ["plant-a", "plant-b", "plant-c", "plant-d"]
KINDS = {  # kind -> (id letter, unit, normal low, normal high, step, episode peak range)
    "temperature": ("t", "C", 22.0, 45.0, 0.8, (66.0, 95.0)),
    "humidity": ("h", "%", 35.0, 70.0, 1.5, (91.0, 99.0)),
    "pressure": ("p", "bar", 7.5, 9.6, 0.08, (10.4, 13.5)),
}


class Iot:
    """Sensors drifting around their normal level, with occasional breach episodes."""

    def __init__(self, rng, per_site=9):
        self.rng = rng
        self.sensors = []
        for s, site in enumerate(SITES):
            for i in range(per_site):
                kind = ["temperature", "temperature", "humidity", "pressure"][i % 4]
                letter, unit, lo, hi, step, peak = KINDS[kind]
                self.sensors.append({"id": "%s-%d%02d" % (letter, s + 1, i + 1), "site": site,
                                     "kind": kind, "unit": unit, "value": rng.uniform(lo, hi),
                                     "battery": rng.uniform(40, 100), "episode": None})
        self.breaches = 0  # readings over a threshold (alerts the iot rule should raise)

    def _over(self, kind, v):
        return {"temperature": v > 60, "pressure": v > 10, "humidity": v > 90}[kind]

    def next(self):
        rng = self.rng
        s = rng.choice(self.sensors)
        letter, unit, lo, hi, step, peak = KINDS[s["kind"]]
        ep = s["episode"]
        if ep is None and rng.random() < 0.012:
            # an episode: climb to a peak over a few readings, then recover
            s["episode"] = ep = {"peak": rng.uniform(*peak), "rise": True}
        if ep:
            if ep["rise"]:
                s["value"] += (ep["peak"] - s["value"]) * rng.uniform(0.35, 0.6) + step
                if s["value"] >= ep["peak"] * 0.97:
                    ep["rise"] = False
            else:
                s["value"] -= (s["value"] - (lo + hi) / 2) * rng.uniform(0.3, 0.5)
                if s["value"] <= hi:
                    s["episode"] = None
        else:
            s["value"] += rng.gauss(0, step)
            s["value"] = min(max(s["value"], lo), hi)
        s["battery"] = max(s["battery"] - rng.uniform(0, 0.05), 3.0)
        value = round(s["value"], 2)
        if self._over(s["kind"], value):
            self.breaches += 1
        return {"key": s["id"], "value": {
            "site": s["site"], "kind": s["kind"], "reading": value, "unit": s["unit"],
            "battery": round(s["battery"], 1)}}

    def malformed(self):
        rng = self.rng
        s = rng.choice(self.sensors)
        kind = rng.randrange(3)
        if kind == 0:   # firmware bug: the reading as an error string
            return {"key": s["id"], "value": {"site": s["site"], "kind": s["kind"], "reading": "ERR_SENSOR",
                                              "unit": s["unit"], "battery": round(s["battery"], 1)}}
        if kind == 1:   # a gateway cut the payload
            text = json.dumps({"site": s["site"], "kind": s["kind"], "reading": round(s["value"], 2),
                               "unit": s["unit"]}, separators=(",", ":"))
            return {"key": s["id"], "raw": text[:rng.randrange(10, len(text) - 3)]}
        return {"key": s["id"], "raw": "%s,%s,%.2f" % (s["site"], s["kind"], s["value"])}


# ------------------------------------------------------------------ driver

class Stats:
    def __init__(self):
        self.events = {"fraud": 0, "iot": 0}
        self.malformed = 0
        self.delivered = 0
        self.failed = 0

    def on_delivery(self, err, msg):
        if err is None:
            self.delivered += 1
        else:
            self.failed += 1


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Produce realistic example events at a steady rate.")
    ap.add_argument("--bootstrap", "-b", required=True, help="bootstrap servers (HOST:PORT)")
    ap.add_argument("--rate", type=float, default=20.0, help="events per second in total (default 20)")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long; 0 = until interrupted (default 60)")
    ap.add_argument("--scenario", choices=["fraud", "iot", "all"], default="all")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7): same seed, same events")
    ap.add_argument("--malformed", type=float, default=0.006, help="share of malformed records (default 0.006)")
    ap.add_argument("--fraud-topic", default=FRAUD_TOPIC)
    ap.add_argument("--iot-topic", default=IOT_TOPIC)
    ap.add_argument("--stats", help="write the final counts as JSON to this file")
    ap.add_argument("--echo", action="store_true", help="print every record produced on stdout")
    a = ap.parse_args(argv)
    if a.rate <= 0 or a.seconds < 0 or not 0 <= a.malformed <= 1:
        ap.error("--rate must be > 0, --seconds >= 0 and --malformed in [0, 1]")
    return a


def main(argv):
    a = parse_args(argv)
    rng = random.Random(a.seed)
    gens = {}
    if a.scenario in ("fraud", "all"):
        gens["fraud"] = (Fraud(random.Random(rng.random())), a.fraud_topic)
    if a.scenario in ("iot", "all"):
        gens["iot"] = (Iot(random.Random(rng.random())), a.iot_topic)
    names = list(gens)
    weights = [0.6, 0.4] if len(names) == 2 else [1.0]
    stats = Stats()
    producer = Producer({"bootstrap.servers": a.bootstrap, "linger.ms": 5,
                         "client.id": "weir-example-generator"})

    stop = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.append(1))

    malformed_at = rng.randrange(10, 40)  # one early broken record, so the demo shows one soon
    start = time.monotonic()
    end = start + a.seconds if a.seconds > 0 else float("inf")
    sent = 0
    while not stop:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * a.rate) + 1
        while sent < due:
            name = rng.choices(names, weights)[0] if len(names) > 1 else names[0]
            gen, topic = gens[name]
            bad = sent == malformed_at or rng.random() < a.malformed
            ev = gen.malformed() if bad else gen.next()
            ts = int(time.time() * 1000)
            if "raw" in ev:
                payload = ev["raw"]
            else:
                ev["value"]["ts"] = ts
                payload = json.dumps(ev["value"], separators=(",", ":"))
            while True:
                try:
                    producer.produce(topic, key=ev["key"], value=payload, timestamp=ts,
                                     on_delivery=stats.on_delivery)
                    break
                except BufferError:   # local queue full (broker unreachable): wait for room
                    producer.poll(0.1)
                    if stop:
                        break
            if a.echo:
                try:
                    print("%s %s %s" % (topic, ev["key"], payload), flush=True)
                except BrokenPipeError:   # e.g. piped into head: stop echoing, keep producing
                    a.echo = False
                    sys.stdout = open("/dev/null", "w")
            stats.events[name] += 1
            stats.malformed += bad
            sent += 1
        producer.poll(0)
        next_at = start + sent / a.rate
        time.sleep(max(0.0, min(next_at, end) - time.monotonic()))
    left = producer.flush(10)
    elapsed = time.monotonic() - start
    summary = {"events": sent, "seconds": round(elapsed, 1),
               "fraud": stats.events["fraud"], "iot": stats.events["iot"],
               "suspicious": gens["fraud"][0].suspicious if "fraud" in gens else 0,
               "velocity": len(gens["fraud"][0].velocity) if "fraud" in gens else 0,
               "velocity_cards": sorted(set(gens["fraud"][0].velocity)) if "fraud" in gens else [],
               "breaches": gens["iot"][0].breaches if "iot" in gens else 0,
               "malformed": stats.malformed, "delivered": stats.delivered,
               "undelivered": stats.failed + left}
    print("generator: %d events in %.1f s (%d transactions, %d of them suspicious; %d sensor "
          "readings, %d over a threshold; %d malformed); %d delivered" %
          (sent, elapsed, summary["fraud"], summary["suspicious"], summary["iot"],
           summary["breaches"], summary["malformed"], summary["delivered"]), file=sys.stderr)
    if summary["undelivered"]:
        print("generator: %d records were not delivered: is a Kafka broker reachable at %s?" %
              (summary["undelivered"], a.bootstrap), file=sys.stderr)
    if a.stats:
        with open(a.stats, "w") as f:
            json.dump(summary, f)
    return 0 if summary["undelivered"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
