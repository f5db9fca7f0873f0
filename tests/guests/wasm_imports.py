#!/usr/bin/env python3
"""List the imports, exports and custom sections of a WebAssembly module.

Usage: wasm_imports.py MODULE.wasm [...]

A tiny stand-alone parser of the binary format (no dependencies), used by
build.sh to report what each fixture imports from the host and exports.
"""
import sys

SECTION_NAMES = {
    0: "custom", 1: "type", 2: "import", 3: "function", 4: "table",
    5: "memory", 6: "global", 7: "export", 8: "start", 9: "element",
    10: "code", 11: "data", 12: "datacount",
}
EXTERN_KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}
VALTYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64",
            0x7B: "v128", 0x70: "funcref", 0x6F: "externref"}


class Reader:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def uleb(self):
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def name(self):
        n = self.uleb()
        s = self.data[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return s

    def limits(self):
        flags = self.uleb()
        lo = self.uleb()
        hi = self.uleb() if flags & 1 else None
        return lo, hi


def parse(data):
    if data[:4] != b"\0asm":
        raise ValueError("not a wasm module")
    r = Reader(data, 8)
    types, imports, exports, sections = [], [], [], []
    func_type_idx = []
    while r.pos < len(data):
        sid = r.byte()
        size = r.uleb()
        end = r.pos + size
        s = Reader(data, r.pos)
        label = SECTION_NAMES.get(sid, str(sid))
        if sid == 0:
            label = "custom:" + s.name()
        sections.append((label, size))
        if sid == 1:
            for _ in range(s.uleb()):
                form = s.byte()
                assert form == 0x60, form
                params = [VALTYPES.get(s.byte(), "?") for _ in range(s.uleb())]
                results = [VALTYPES.get(s.byte(), "?") for _ in range(s.uleb())]
                types.append((params, results))
        elif sid == 2:
            for _ in range(s.uleb()):
                mod, field, kind = s.name(), s.name(), s.byte()
                if kind == 0:
                    desc = sig(types[s.uleb()])
                elif kind == 1:
                    s.byte()
                    desc = "table %s" % (s.limits(),)
                elif kind == 2:
                    desc = "memory %s" % (s.limits(),)
                elif kind == 3:
                    desc = "global %s" % VALTYPES.get(s.byte(), "?")
                    s.byte()
                else:
                    desc = "tag"
                    s.byte()
                    s.uleb()
                imports.append((mod, field, EXTERN_KINDS.get(kind, kind), desc))
                if kind == 0:
                    func_type_idx.append(None)  # placeholder for numbering
        elif sid == 3:
            func_type_idx += [s.uleb() for _ in range(s.uleb())]
        elif sid == 7:
            for _ in range(s.uleb()):
                field, kind, idx = s.name(), s.byte(), s.uleb()
                exports.append((field, EXTERN_KINDS.get(kind, kind), idx))
        r.pos = end
    nimported = sum(1 for i in imports if i[2] == "func")
    out_exports = []
    for field, kind, idx in exports:
        desc = ""
        if kind == "func":
            if idx < nimported:
                desc = "(re-exported import)"
            else:
                desc = sig(types[func_type_idx[idx]])
        out_exports.append((field, kind, desc))
    return imports, out_exports, sections


def sig(t):
    params, results = t
    return "(%s) -> (%s)" % (", ".join(params), ", ".join(results))


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for path in argv[1:]:
        with open(path, "rb") as f:
            data = f.read()
        imports, exports, sections = parse(data)
        print("%s (%d bytes)" % (path, len(data)))
        print("  imports:")
        for mod, field, kind, desc in imports:
            print("    %s.%s %s %s" % (mod, field, kind, desc))
        print("  exports:")
        for field, kind, desc in exports:
            print("    %s %s %s" % (field, kind, desc))
        customs = [(n, sz) for n, sz in sections if n.startswith("custom:")]
        if customs:
            print("  custom sections:")
            for n, sz in customs:
                print("    %s (%d bytes)" % (n[len("custom:"):], sz))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
