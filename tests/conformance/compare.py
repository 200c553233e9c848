#!/usr/bin/env python3
"""Compare `decode FILE --json` with Wireshark's dissection, field by field.

For every capture given, runs our decoder (a command prefix, e.g.
"tests/conformance/decode_tool" or "dmvpnctl decode") and
`tshark -r FILE -T pdml`, then compares per frame:

  IP      src, dst, protocol (every IP header, outer and encapsulated)
  GRE     C/R/K/S/s flags, recursion, version, protocol, key, sequence
  NHRP    type, hop count, flags, request ID, source NBMA and protocol
          address, destination protocol address, every CIE (code, prefix
          length, MTU, holding time, preference, client NBMA and protocol
          address), every extension (type, compulsory bit, length, its
          CIEs, the authentication data), the packet quoted by a Traffic
          Indication
  IKE     version, exchange, SPIs, message ID, I/R flags, outer payload
          types, Notify types, KE group, SKF fragment number/total
  ESP     SPI and sequence number (raw ESP and ESP-in-UDP)
  NAT-T   keepalives
  errors  a frame Wireshark calls malformed must carry our "error"

A layer Wireshark decodes and we do not is a disagreement; fields inside a
layer Wireshark marks malformed are not compared (only the verdict is).

The one allowed exception: Wireshark 4.0 splits Cisco's authentication
extension (4-byte type 1 = cleartext, then the password) into
reserved(2)/SPI(2)/"source address"(4)/data. We follow the bytes: the
type must equal reserved<<16|SPI and the password must equal the bytes
Wireshark shows as source address + data. This script says so each time.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


class Tally:
    def __init__(self):
        self.packets = 0
        self.fields = 0
        self.disagreements = []
        self.notes = []
        self.auth_bytes = 0

    def eq(self, where, name, ours, theirs):
        self.fields += 1
        if ours != theirs:
            self.disagreements.append(f"{where}: {name}: ours={ours!r} tshark={theirs!r}")

    def differ(self, where, what):
        self.fields += 1
        self.disagreements.append(f"{where}: {what}")


# ---------------------------------------------------------------- tshark side

def fields_named(elem, name):
    return [f for f in elem.iter("field") if f.get("name") == name]


def first(elem, name):
    for f in elem.iter("field"):
        if f.get("name") == name:
            return f
    return None


def show(elem, name, conv=str):
    f = first(elem, name)
    if f is None:
        return None
    s = f.get("show")
    if conv is int:
        return int(s, 0)
    return conv(s)


def children(elem, tag="field"):
    return [c for c in elem if c.tag == tag]


def ws_cie(f):
    cie = {
        "code": show(f, "nhrp.code", int),
        "prefix_len": show(f, "nhrp.prefix", int),
        "mtu": show(f, "nhrp.mtu", int),
        "holding_time": show(f, "nhrp.htime", int),
        "preference": show(f, "nhrp.pref", int),
    }
    nbma = show(f, "nhrp.client.nbma.addr")
    proto = show(f, "nhrp.client.prot.addr")
    if nbma is not None:
        cie["nbma"] = nbma
    if proto is not None:
        cie["proto"] = proto
    return cie


def ws_nhrp(p):
    n = {}
    hdr = mand = None
    exts = []
    for f in children(p):
        label = f.get("show", "")
        if label == "NHRP Fixed Header":
            hdr = f
        elif label == "NHRP Mandatory Part":
            mand = f
        elif any(c.get("name") == "nhrp.ext.type" for c in children(f)):
            exts.append(f)
    if hdr is not None:
        n["type_code"] = show(hdr, "nhrp.hdr.op.type", int)
        n["hop_count"] = show(hdr, "nhrp.hdr.hopcnt", int)
        n["length"] = show(hdr, "nhrp.hdr.pktsz", int)
        n["extoff"] = show(hdr, "nhrp.hdr.extoff", int)
        n["afn"] = show(hdr, "nhrp.hdr.afn", int)
        n["protocol_type"] = show(hdr, "nhrp.hdr.pro.type", int)
    if mand is not None:
        for key, name, conv in (("src_nbma", "nhrp.src.nbma.addr", str),
                                ("src_proto", "nhrp.src.prot.addr", str),
                                ("dst_proto", "nhrp.dst.prot.addr", str),
                                ("request_id", "nhrp.reqid", int),
                                ("flags", "nhrp.flags", int)):
            v = None
            for c in children(mand):
                if c.get("name") == name:
                    v = int(c.get("show"), 0) if conv is int else c.get("show")
            if v is not None:
                n[key] = v
        n["cies"] = [ws_cie(c) for c in children(mand)
                     if c.get("show") == "Client Information Entry"]
    for f in children(p):
        if f.get("show") != "Packet Causing Indication":
            continue
        quoted = [q for q in f.iter("proto") if q.get("name") in ("ip", "ipv6")]
        if quoted:
            q = quoted[0]
            v6 = q.get("name") == "ipv6"
            n["packet"] = {
                "src": show(q, "ipv6.src" if v6 else "ip.src"),
                "dst": show(q, "ipv6.dst" if v6 else "ip.dst"),
                "proto": show(q, "ipv6.nxt" if v6 else "ip.proto", int),
            }
    n["extensions"] = []
    for f in exts:
        e = {
            "code": show(f, "nhrp.ext.type", int),
            "compulsory": show(f, "nhrp.ext.c", int) == 1,
            "length": show(f, "nhrp.ext.len", int),
            "cies": [ws_cie(c) for c in children(f)
                     if c.get("show") == "Client Information Entry"],
        }
        if first(f, "nhrp.auth_ext.spi") is not None:
            raw = ""
            for name in ("nhrp.auth_ext.src_addr", "nhrp.auth_ext.data"):
                g = first(f, name)
                if g is not None:
                    raw += g.get("value", "")
            e["auth"] = {
                "type": (show(f, "nhrp.auth_ext.reserved", int) or 0) << 16
                | show(f, "nhrp.auth_ext.spi", int),
                "bytes": raw.lower(),
            }
        n["extensions"].append(e)
    return n


def ws_ike(p):
    k = {
        "ispi": first(p, "isakmp.ispi").get("value"),
        "rspi": first(p, "isakmp.rspi").get("value"),
        "exchange_type": show(p, "isakmp.exchangetype", int),
        "message_id": show(p, "isakmp.messageid", int),
        "version": show(p, "isakmp.version", int),
    }
    if first(p, "isakmp.flag_i") is not None:
        k["initiator"] = show(p, "isakmp.flag_i", int) == 1
        k["response"] = show(p, "isakmp.flag_r", int) == 1
    pls = []
    for f in children(p):
        if f.get("name") != "isakmp.typepayload":
            continue
        pl = {"code": int(f.get("show"))}
        if pl["code"] == 41 and k["version"] >> 4 == 2:
            pl["notify_type"] = show(f, "isakmp.notify.msgtype", int)
        if pl["code"] == 34 and k["version"] >> 4 == 2:
            pl["group"] = show(f, "isakmp.key_exchange.dh_group", int)
        if pl["code"] == 53:
            pl["fragment"] = show(f, "isakmp.frag.number", int)
            pl["total"] = show(f, "isakmp.frag.total", int)
        pls.append(pl)
    k["payloads"] = pls
    return k


def ws_packet(pkt):
    w = {"ip": [], "gre": [], "malformed": None}
    for p in children(pkt, "proto"):
        name = p.get("name")
        if name == "geninfo":
            w["frame"] = show(p, "num", int)
        elif name == "ip":
            w["ip"].append({"src": show(p, "ip.src"), "dst": show(p, "ip.dst"),
                            "proto": show(p, "ip.proto", int)})
        elif name == "ipv6":
            w["ip"].append({"src": show(p, "ipv6.src"), "dst": show(p, "ipv6.dst")})
        elif name == "gre":
            g = {
                "checksum": show(p, "gre.flags.checksum", int) == 1,
                "routing": show(p, "gre.flags.routing", int) == 1,
                "key": show(p, "gre.flags.key", int) == 1,
                "sequence": show(p, "gre.flags.sequence_number", int) == 1,
                "strict_source_route": show(p, "gre.flags.strict_source_route", int) == 1,
                "recursion": show(p, "gre.flags.recursion_control", int),
                "version": show(p, "gre.flags.version", int),
                "protocol": show(p, "gre.proto", int),
            }
            if first(p, "gre.key") is not None:
                g["key_value"] = show(p, "gre.key", int)
            if first(p, "gre.sequence_number") is not None:
                g["seq"] = show(p, "gre.sequence_number", int)
            w["gre"].append(g)
        elif name == "nhrp" and "nhrp" not in w:
            w["nhrp"] = ws_nhrp(p)
        elif name == "isakmp" and "ike" not in w:
            w["ike"] = ws_ike(p)
        elif name == "esp" and "esp" not in w:
            w["esp"] = {"spi": show(p, "esp.spi", int), "seq": show(p, "esp.sequence", int)}
        elif name == "udpencap":
            if first(p, "udpencap.nat_keepalive") is not None:
                w["nat_keepalive"] = True
        elif name == "_ws.malformed" and w["malformed"] is None:
            w["malformed"] = p.get("showname", "malformed")
    return w


def tshark_packets(tshark, path):
    with tempfile.TemporaryDirectory() as cfg:
        env = dict(os.environ, WIRESHARK_CONFIG_DIR=cfg)
        out = subprocess.run(
            [tshark, "-n", "-r", path, "-T", "pdml",
             "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout
    root = ET.fromstring(out)
    return [ws_packet(p) for p in root.findall("packet")]


# ---------------------------------------------------------------- our side

def our_levels(obj):
    """IP levels of one frame, outermost first: dicts with ip/gre/app keys."""
    levels = []
    o = obj
    while o is not None and "ip" in o:
        levels.append(o)
        o = o.get("inner")
    return levels


def our_packets(decode, path):
    cmd = shlex.split(decode) + [path, "--json"]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {res.returncode}: "
                           f"{res.stderr.decode(errors='replace').strip()}")
    return [json.loads(line) for line in res.stdout.decode().splitlines() if line.strip()]


# ---------------------------------------------------------------- comparison

CIE_KEYS = ("code", "prefix_len", "mtu", "holding_time", "preference", "nbma", "proto")


def cmp_cies(t, where, prefix, ours, theirs):
    t.eq(where, f"{prefix}.cie_count", len(ours), len(theirs))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        for k in CIE_KEYS:
            t.eq(where, f"{prefix}.cies[{i}].{k}", a.get(k), b.get(k))


def cmp_nhrp(t, where, o, w, auth_note):
    for key in ("type_code", "hop_count", "length", "extoff", "afn", "protocol_type",
                "src_nbma", "src_proto", "dst_proto", "request_id", "flags"):
        if key in w:
            t.eq(where, f"nhrp.{key}", o.get(key), w[key])
    if "cies" in w and o.get("type_code", 0) <= 6:
        cmp_cies(t, where, "nhrp", o.get("cies", []), w["cies"])
    if "packet" in w:
        op = o.get("packet", {})
        for key in ("src", "dst", "proto"):
            t.eq(where, f"nhrp.packet.{key}", op.get(key), w["packet"][key])
    oe = o.get("extensions", [])
    we = w.get("extensions", [])
    t.eq(where, "nhrp.extension_count", len(oe), len(we))
    for i, (a, b) in enumerate(zip(oe, we)):
        p = f"nhrp.ext[{i}]"
        t.eq(where, f"{p}.code", a.get("code"), b["code"])
        t.eq(where, f"{p}.compulsory", a.get("compulsory"), b["compulsory"])
        t.eq(where, f"{p}.length", a.get("length"), b["length"])
        if b["cies"] or a.get("cies"):
            cmp_cies(t, where, p, a.get("cies", []), b["cies"])
        if "auth" in b:
            # Wireshark 4.0 mis-splits Cisco's authentication extension:
            # follow the bytes (see the module docstring).
            t.auth_bytes += 1
            if auth_note:
                t.notes.append(f"{where}: {p}: authentication extension compared byte for "
                               "byte (Wireshark 4.0 splits Cisco's type+password into "
                               "reserved/SPI/source address/data: allowed exception)")
            pw = a.get("password")
            hexpw = pw.encode().hex() if pw is not None else a.get("password_hex", "")
            t.eq(where, f"{p}.auth_type", a.get("auth_type"), b["auth"]["type"])
            t.eq(where, f"{p}.auth_bytes", hexpw, b["auth"]["bytes"])


def cmp_ike(t, where, o, w):
    t.eq(where, "ike.ispi", o.get("ispi"), w["ispi"])
    t.eq(where, "ike.rspi", o.get("rspi"), w["rspi"])
    t.eq(where, "ike.exchange_type", o.get("exchange_type"), w["exchange_type"])
    t.eq(where, "ike.message_id", o.get("message_id"), w["message_id"])
    major, minor = (int(x) for x in o.get("version", "0.0").split("."))
    t.eq(where, "ike.version", major << 4 | minor, w["version"])
    if "initiator" in w:
        t.eq(where, "ike.initiator", o.get("initiator"), w["initiator"])
        t.eq(where, "ike.response", o.get("response"), w["response"])
    op = o.get("payloads", [])
    t.eq(where, "ike.payload_types", [p.get("code") for p in op],
         [p["code"] for p in w["payloads"]])
    for i, (a, b) in enumerate(zip(op, w["payloads"])):
        for key in ("notify_type", "group", "fragment", "total"):
            if key in b and b[key] is not None:
                t.eq(where, f"ike.payloads[{i}].{key}", a.get(key), b[key])


def compare_frame(t, name, ours, w, auth_note):
    where = f"{name} frame {w.get('frame')}"
    levels = our_levels(ours)
    malformed = w["malformed"]
    # Fields of the layer Wireshark calls malformed are not compared.
    bad = malformed.split(":")[-1].strip(" ]").lower() if malformed else None
    if malformed:
        t.eq(where, f"malformed ({malformed})", "error" in ours, True)

    for i, wip in enumerate(w["ip"]):
        if i >= len(levels):
            t.differ(where, f"IP header {i} ({wip['src']} > {wip['dst']}) not decoded")
            continue
        oip = levels[i]["ip"]
        t.eq(where, f"ip[{i}].src", oip.get("src"), wip["src"])
        t.eq(where, f"ip[{i}].dst", oip.get("dst"), wip["dst"])
        if "proto" in wip:
            t.eq(where, f"ip[{i}].proto", oip.get("proto"), wip["proto"])

    ogre = [lv["gre"] for lv in levels if "gre" in lv]
    for i, wg in enumerate(w["gre"]):
        if i >= len(ogre):
            t.differ(where, f"GRE header {i} not decoded")
            continue
        og = ogre[i]
        for key in ("checksum", "routing", "key", "sequence", "strict_source_route",
                    "recursion"):
            t.eq(where, f"gre[{i}].flags.{key}", og["flags"].get(key), wg[key])
        t.eq(where, f"gre[{i}].version", og.get("version"), wg["version"])
        t.eq(where, f"gre[{i}].protocol", og.get("protocol"), wg["protocol"])
        if "key_value" in wg:
            t.eq(where, f"gre[{i}].key", og.get("key"), wg["key_value"])
        if "seq" in wg:
            t.eq(where, f"gre[{i}].seq", og.get("seq"), wg["seq"])

    app = levels[-1] if levels else {}
    if "nhrp" in w and bad != "nhrp":
        if "nhrp" not in app:
            t.differ(where, f"NHRP not decoded ({ours.get('error', 'no error')})")
        else:
            cmp_nhrp(t, where, app["nhrp"], w["nhrp"], auth_note)
    if "ike" in w and bad not in ("isakmp", "ikev2"):
        if "ike" not in app:
            t.differ(where, f"IKE not decoded ({ours.get('error', 'no error')})")
        else:
            cmp_ike(t, where, app["ike"], w["ike"])
    if "esp" in w and bad != "esp":
        if "esp" not in app:
            t.differ(where, f"ESP not decoded ({ours.get('error', 'no error')})")
        else:
            t.eq(where, "esp.spi", app["esp"].get("spi"), w["esp"]["spi"])
            t.eq(where, "esp.seq", app["esp"].get("seq"), w["esp"]["seq"])
    if w.get("nat_keepalive"):
        t.eq(where, "nat_keepalive", app.get("nat_keepalive"), True)
    if "error" in ours and not malformed:
        t.notes.append(f"{where}: we report \"{ours['error']}\"; Wireshark does not call "
                       "it malformed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--decode", required=True, help="decoder command prefix")
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--name", action="append", default=[],
                    help="display name for each file (same order)")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    t = Tally()
    for idx, path in enumerate(args.files):
        name = args.name[idx] if idx < len(args.name) else os.path.basename(path)
        try:
            ours = our_packets(args.decode, path)
            theirs = tshark_packets(args.tshark, path)
        except (RuntimeError, subprocess.CalledProcessError, ET.ParseError) as e:
            t.differ(name, f"cannot decode: {e}")
            continue
        if len(ours) != len(theirs):
            t.differ(name, f"frame count: ours={len(ours)} tshark={len(theirs)}")
        first_auth = True
        for o, w in zip(ours, theirs):
            t.packets += 1
            t.eq(f"{name} frame {w.get('frame')}", "frame", o.get("frame"), w.get("frame"))
            before = t.auth_bytes
            compare_frame(t, name, o, w, first_auth)
            if t.auth_bytes > before:
                first_auth = False

    for n in t.notes:
        print(f"note: {n}")
    if t.auth_bytes:
        print(f"note: {t.auth_bytes} NHRP authentication extensions compared byte for byte "
              "(the Wireshark 4.0 mis-split; the only allowed exception)")
    for d in t.disagreements:
        print(f"DISAGREE: {d}")
    print(f"conformance: {t.packets} packets compared, {t.fields} fields compared, "
          f"{len(t.disagreements)} disagreements")
    return 1 if t.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
