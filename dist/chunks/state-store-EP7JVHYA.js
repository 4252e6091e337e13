import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  parseState,
  stateSchema
} from "./chunk-S4R6Z6IO.js";
import {
  DEFAULT_GITHUB_TIMEOUT_MS,
  TimedOut,
  fetchWithTimeout,
  withDeadline
} from "./chunk-MDKIGY4J.js";
import {
  httpFailure
} from "./chunk-CR33VQHH.js";
import {
  parseRetryAfter,
  realSleep,
  withRetry
} from "./chunk-LHVGWTLP.js";
import {
  external_exports
} from "./chunk-QTXGKDSB.js";
import {
  DestinationError,
  errorMessage
} from "./chunk-IBD4EVJW.js";
import "./chunk-HANBNIMK.js";

// node_modules/fflate/esm/index.mjs
import { createRequire } from "module";
var require2 = createRequire("/");
var _a;
var Worker;
var isMarkedAsUntransferable;
try {
  _a = require2("worker_threads"), Worker = _a.Worker, isMarkedAsUntransferable = _a.isMarkedAsUntransferable;
} catch (e) {
}
var u8 = Uint8Array;
var u16 = Uint16Array;
var i32 = Int32Array;
var fleb = new u8([
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  4,
  5,
  5,
  5,
  5,
  0,
  /* unused */
  0,
  0,
  /* impossible */
  0
]);
var fdeb = new u8([
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13,
  /* unused */
  0,
  0
]);
var clim = new u8([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);
var freb = function(eb, start) {
  var b = new u16(31);
  for (var i2 = 0; i2 < 31; ++i2) {
    b[i2] = start += 1 << eb[i2 - 1];
  }
  var r = new i32(b[30]);
  for (var i2 = 1; i2 < 30; ++i2) {
    for (var j = b[i2]; j < b[i2 + 1]; ++j) {
      r[j] = j - b[i2] << 5 | i2;
    }
  }
  return { b, r };
};
var _a = freb(fleb, 2);
var fl = _a.b;
var revfl = _a.r;
fl[28] = 258, revfl[258] = 28;
var _b = freb(fdeb, 0);
var fd = _b.b;
var revfd = _b.r;
var rev = new u16(32768);
for (i = 0; i < 32768; ++i) {
  x = (i & 43690) >> 1 | (i & 21845) << 1;
  x = (x & 52428) >> 2 | (x & 13107) << 2;
  x = (x & 61680) >> 4 | (x & 3855) << 4;
  rev[i] = ((x & 65280) >> 8 | (x & 255) << 8) >> 1;
}
var x;
var i;
var hMap = (function(cd, mb, r) {
  var s = cd.length;
  var i2 = 0;
  var l = new u16(mb);
  for (; i2 < s; ++i2) {
    if (cd[i2])
      ++l[cd[i2] - 1];
  }
  var le = new u16(mb);
  for (i2 = 1; i2 < mb; ++i2) {
    le[i2] = le[i2 - 1] + l[i2 - 1] << 1;
  }
  var co;
  if (r) {
    co = new u16(1 << mb);
    var rvb = 15 - mb;
    for (i2 = 0; i2 < s; ++i2) {
      if (cd[i2]) {
        var sv = i2 << 4 | cd[i2];
        var r_1 = mb - cd[i2];
        var v = le[cd[i2] - 1]++ << r_1;
        for (var m = v | (1 << r_1) - 1; v <= m; ++v) {
          co[rev[v] >> rvb] = sv;
        }
      }
    }
  } else {
    co = new u16(s);
    for (i2 = 0; i2 < s; ++i2) {
      if (cd[i2]) {
        co[i2] = rev[le[cd[i2] - 1]++] >> 15 - cd[i2];
      }
    }
  }
  return co;
});
var flt = new u8(288);
for (i = 0; i < 144; ++i)
  flt[i] = 8;
var i;
for (i = 144; i < 256; ++i)
  flt[i] = 9;
var i;
for (i = 256; i < 280; ++i)
  flt[i] = 7;
var i;
for (i = 280; i < 288; ++i)
  flt[i] = 8;
var i;
var fdt = new u8(32);
for (i = 0; i < 32; ++i)
  fdt[i] = 5;
var i;
var flrm = /* @__PURE__ */ hMap(flt, 9, 1);
var fdrm = /* @__PURE__ */ hMap(fdt, 5, 1);
var max = function(a) {
  var m = a[0];
  for (var i2 = 1; i2 < a.length; ++i2) {
    if (a[i2] > m)
      m = a[i2];
  }
  return m;
};
var bits = function(d, p, m) {
  var o = p / 8 | 0;
  return (d[o] | d[o + 1] << 8) >> (p & 7) & m;
};
var bits16 = function(d, p) {
  var o = p / 8 | 0;
  return (d[o] | d[o + 1] << 8 | d[o + 2] << 16) >> (p & 7);
};
var shft = function(p) {
  return (p + 7) / 8 | 0;
};
var slc = function(v, s, e) {
  if (s == null || s < 0)
    s = 0;
  if (e == null || e > v.length)
    e = v.length;
  return new u8(v.subarray(s, e));
};
var ec = [
  "unexpected EOF",
  "invalid block type",
  "invalid length/literal",
  "invalid distance",
  "stream finished",
  "no stream handler",
  ,
  // determined by compression function
  "no callback",
  "invalid UTF-8 data",
  "extra field too long",
  "date not in range 1980-2099",
  "filename too long",
  "stream finishing",
  "invalid zip data"
  // determined by unknown compression method
];
var err = function(ind, msg, nt) {
  var e = new Error(msg || ec[ind]);
  e.code = ind;
  if (Error.captureStackTrace)
    Error.captureStackTrace(e, err);
  if (!nt)
    throw e;
  return e;
};
var inflt = function(dat, st, buf, dict) {
  var sl = dat.length, dl = dict ? dict.length : 0;
  if (!sl || st.f && !st.l)
    return buf || new u8(0);
  var noBuf = !buf;
  var resize = noBuf || st.i != 2;
  var noSt = st.i;
  if (noBuf)
    buf = new u8(sl * 3);
  var cbuf = function(l2) {
    var bl = buf.length;
    if (l2 > bl) {
      var nbuf = new u8(Math.max(bl * 2, l2));
      nbuf.set(buf);
      buf = nbuf;
    }
  };
  var final = st.f || 0, pos = st.p || 0, bt = st.b || 0, lm = st.l, dm = st.d, lbt = st.m, dbt = st.n;
  var tbts = sl * 8;
  do {
    if (!lm) {
      final = bits(dat, pos, 1);
      var type = bits(dat, pos + 1, 3);
      pos += 3;
      if (!type) {
        var s = shft(pos) + 4, l = dat[s - 4] | dat[s - 3] << 8, t = s + l;
        if (t > sl) {
          if (noSt)
            err(0);
          break;
        }
        if (resize)
          cbuf(bt + l);
        buf.set(dat.subarray(s, t), bt);
        st.b = bt += l, st.p = pos = t * 8, st.f = final;
        continue;
      } else if (type == 1)
        lm = flrm, dm = fdrm, lbt = 9, dbt = 5;
      else if (type == 2) {
        var hLit = bits(dat, pos, 31) + 257, hcLen = bits(dat, pos + 10, 15) + 4;
        var tl = hLit + bits(dat, pos + 5, 31) + 1;
        pos += 14;
        var ldt = new u8(tl);
        var clt = new u8(19);
        for (var i2 = 0; i2 < hcLen; ++i2) {
          clt[clim[i2]] = bits(dat, pos + i2 * 3, 7);
        }
        pos += hcLen * 3;
        var clb = max(clt), clbmsk = (1 << clb) - 1;
        var clm = hMap(clt, clb, 1);
        for (var i2 = 0; i2 < tl; ) {
          var r = clm[bits(dat, pos, clbmsk)];
          pos += r & 15;
          var s = r >> 4;
          if (s < 16) {
            ldt[i2++] = s;
          } else {
            var c = 0, n = 0;
            if (s == 16)
              n = 3 + bits(dat, pos, 3), pos += 2, c = ldt[i2 - 1];
            else if (s == 17)
              n = 3 + bits(dat, pos, 7), pos += 3;
            else if (s == 18)
              n = 11 + bits(dat, pos, 127), pos += 7;
            while (n--)
              ldt[i2++] = c;
          }
        }
        var lt = ldt.subarray(0, hLit), dt = ldt.subarray(hLit);
        lbt = max(lt);
        dbt = max(dt);
        lm = hMap(lt, lbt, 1);
        dm = hMap(dt, dbt, 1);
      } else
        err(1);
      if (pos > tbts) {
        if (noSt)
          err(0);
        break;
      }
    }
    if (resize)
      cbuf(bt + 131072);
    var lms = (1 << lbt) - 1, dms = (1 << dbt) - 1;
    var lpos = pos;
    for (; ; lpos = pos) {
      var c = lm[bits16(dat, pos) & lms], sym = c >> 4;
      pos += c & 15;
      if (pos > tbts) {
        if (noSt)
          err(0);
        break;
      }
      if (!c)
        err(2);
      if (sym < 256)
        buf[bt++] = sym;
      else if (sym == 256) {
        lpos = pos, lm = null;
        break;
      } else {
        var add = sym - 254;
        if (sym > 264) {
          var i2 = sym - 257, b = fleb[i2];
          add = bits(dat, pos, (1 << b) - 1) + fl[i2];
          pos += b;
        }
        var d = dm[bits16(dat, pos) & dms], dsym = d >> 4;
        if (!d)
          err(3);
        pos += d & 15;
        var dt = fd[dsym];
        if (dsym > 3) {
          var b = fdeb[dsym];
          dt += bits16(dat, pos) & (1 << b) - 1, pos += b;
        }
        if (pos > tbts) {
          if (noSt)
            err(0);
          break;
        }
        if (resize)
          cbuf(bt + 131072);
        var end = bt + add;
        if (bt < dt) {
          var shift = dl - dt, dend = Math.min(dt, end);
          if (shift + bt < 0)
            err(3);
          for (; bt < dend; ++bt)
            buf[bt] = dict[shift + bt];
        }
        for (; bt < end; ++bt)
          buf[bt] = buf[bt - dt];
      }
    }
    st.l = lm, st.p = lpos, st.b = bt, st.f = final;
    if (lm)
      final = 1, st.m = lbt, st.d = dm, st.n = dbt;
  } while (!final);
  return bt != buf.length && noBuf ? slc(buf, 0, bt) : buf.subarray(0, bt);
};
var et = /* @__PURE__ */ new u8(0);
var b2 = function(d, b) {
  return d[b] | d[b + 1] << 8;
};
var b4 = function(d, b) {
  return (d[b] | d[b + 1] << 8 | d[b + 2] << 16 | d[b + 3] << 24) >>> 0;
};
var b8 = function(d, b) {
  return b4(d, b) + b4(d, b + 4) * 4294967296;
};
var Inflate = /* @__PURE__ */ (function() {
  function Inflate2(opts, cb) {
    if (typeof opts == "function")
      cb = opts, opts = {};
    this.ondata = cb;
    var dict = opts && opts.dictionary && opts.dictionary.subarray(-32768);
    this.s = { i: 0, b: dict ? dict.length : 0 };
    this.o = new u8(32768);
    this.p = new u8(0);
    if (dict)
      this.o.set(dict);
  }
  Inflate2.prototype.e = function(c) {
    if (!this.ondata)
      err(5);
    if (this.d)
      err(4);
    if (!this.p.length)
      this.p = c;
    else if (c.length) {
      var n = new u8(this.p.length + c.length);
      n.set(this.p), n.set(c, this.p.length), this.p = n;
    }
  };
  Inflate2.prototype.c = function(final) {
    this.s.i = +(this.d = final || false);
    var bts = this.s.b;
    var dt = inflt(this.p, this.s, this.o);
    this.ondata(slc(dt, bts, this.s.b), this.d);
    this.o = slc(dt, this.s.b - 32768), this.s.b = this.o.length;
    this.p = slc(this.p, this.s.p / 8 | 0), this.s.p &= 7;
  };
  Inflate2.prototype.push = function(chunk, final) {
    this.e(chunk), this.c(final);
  };
  return Inflate2;
})();
var td = typeof TextDecoder != "undefined" && /* @__PURE__ */ new TextDecoder();
var tds = 0;
try {
  td.decode(et, { stream: true });
  tds = 1;
} catch (e) {
}
var dutf8 = function(d) {
  for (var r = "", i2 = 0; ; ) {
    var c = d[i2++];
    var eb = (c > 127) + (c > 223) + (c > 239);
    if (i2 + eb > d.length)
      return { s: r, r: slc(d, i2 - 1) };
    if (!eb)
      r += String.fromCharCode(c);
    else if (eb == 3) {
      c = ((c & 15) << 18 | (d[i2++] & 63) << 12 | (d[i2++] & 63) << 6 | d[i2++] & 63) - 65536, r += String.fromCharCode(55296 | c >> 10, 56320 | c & 1023);
    } else if (eb & 1)
      r += String.fromCharCode((c & 31) << 6 | d[i2++] & 63);
    else
      r += String.fromCharCode((c & 15) << 12 | (d[i2++] & 63) << 6 | d[i2++] & 63);
  }
};
function strFromU8(dat, latin1) {
  if (latin1) {
    var r = "";
    for (var i2 = 0; i2 < dat.length; i2 += 16384)
      r += String.fromCharCode.apply(null, dat.subarray(i2, i2 + 16384));
    return r;
  } else if (td) {
    return td.decode(dat);
  } else {
    var _a2 = dutf8(dat), s = _a2.s, r = _a2.r;
    if (r.length)
      err(8);
    return s;
  }
}
var z64hs = function(d, b, l, z, sc, su, off) {
  var nsc = sc == 4294967295, nsu = su == 4294967295, noff = off == 4294967295, e = b + l;
  var nf = nsc + nsu + noff;
  if (z && nf) {
    for (; b + 4 < e; b += 4 + b2(d, b + 2)) {
      if (b2(d, b) == 1) {
        return [
          nsc ? b8(d, b + 4 + 8 * nsu) : sc,
          nsu ? b8(d, b + 4) : su,
          noff ? b8(d, b + 4 + 8 * (nsu + nsc)) : off,
          1
        ];
      }
    }
    if (z < 2)
      err(13);
  }
  return [sc, su, off, 0];
};
var UnzipPassThrough = /* @__PURE__ */ (function() {
  function UnzipPassThrough2() {
  }
  UnzipPassThrough2.prototype.push = function(chunk, final) {
    this.ondata(null, chunk, final);
  };
  UnzipPassThrough2.compression = 0;
  return UnzipPassThrough2;
})();
var UnzipInflate = /* @__PURE__ */ (function() {
  function UnzipInflate2() {
    var _this = this;
    this.i = new Inflate(function(dat, final) {
      _this.ondata(null, dat, final);
    });
  }
  UnzipInflate2.prototype.push = function(chunk, final) {
    try {
      this.i.push(chunk, final);
    } catch (e) {
      this.ondata(e, null, final);
    }
  };
  UnzipInflate2.compression = 8;
  return UnzipInflate2;
})();
var Unzip = /* @__PURE__ */ (function() {
  function Unzip2(cb) {
    this.onfile = cb;
    this.k = [];
    this.o = {
      0: UnzipPassThrough
    };
    this.p = et;
  }
  Unzip2.prototype.push = function(chunk, final) {
    var _this = this;
    if (!this.onfile)
      err(5);
    if (!this.p)
      err(4);
    if (this.c > 0) {
      var len = Math.min(this.c, chunk.length);
      var toAdd = chunk.subarray(0, len);
      this.c -= len;
      if (this.d)
        this.d.push(toAdd, !this.c);
      else
        this.k[0].push(toAdd);
      chunk = chunk.subarray(len);
      if (chunk.length)
        return this.push(chunk, final);
    } else {
      var f = 0, i2 = 0, is = void 0, buf = void 0;
      if (!this.p.length)
        buf = chunk;
      else if (!chunk.length)
        buf = this.p;
      else {
        buf = new u8(this.p.length + chunk.length);
        buf.set(this.p), buf.set(chunk, this.p.length);
      }
      var l = buf.length, oc = this.c, add = oc && this.d;
      var _loop_2 = function() {
        var sig = b4(buf, i2);
        if (sig == 67324752) {
          f = 1, is = i2;
          this_1.d = null;
          this_1.c = 0;
          var bf = b2(buf, i2 + 6), cmp_1 = b2(buf, i2 + 8), u = bf & 2048, dd = bf & 8, fnl = b2(buf, i2 + 26), es = b2(buf, i2 + 28);
          if (l > i2 + 30 + fnl + es) {
            var chks_3 = [];
            this_1.k.unshift(chks_3);
            f = 2;
            var lsc = b4(buf, i2 + 18), lsu = b4(buf, i2 + 22);
            var fn_1 = strFromU8(buf.subarray(i2 + 30, i2 += 30 + fnl), !u);
            var _a2 = z64hs(buf, i2, es, 2, lsc, lsu, 0), sc_1 = _a2[0], su_1 = _a2[1], z64 = _a2[3];
            if (dd)
              sc_1 = -1 - z64;
            i2 += es;
            this_1.c = sc_1;
            var d_1;
            var file_1 = {
              name: fn_1,
              compression: cmp_1,
              start: function() {
                if (!file_1.ondata)
                  err(5);
                if (!sc_1)
                  file_1.ondata(null, et, true);
                else {
                  var ctr = _this.o[cmp_1];
                  if (!ctr)
                    file_1.ondata(err(14, "unknown compression type " + cmp_1, 1), null, false);
                  d_1 = sc_1 < 0 ? new ctr(fn_1) : new ctr(fn_1, sc_1, su_1);
                  d_1.ondata = function(err2, dat3, final2) {
                    file_1.ondata(err2, dat3, final2);
                  };
                  for (var _i = 0, chks_4 = chks_3; _i < chks_4.length; _i++) {
                    var dat2 = chks_4[_i];
                    d_1.push(dat2, false);
                  }
                  if (_this.k[0] == chks_3 && _this.c)
                    _this.d = d_1;
                  else
                    d_1.push(et, true);
                }
              },
              terminate: function() {
                if (d_1 && d_1.terminate)
                  d_1.terminate();
              }
            };
            if (sc_1 >= 0)
              file_1.size = sc_1, file_1.originalSize = su_1;
            this_1.onfile(file_1);
          }
          return "break";
        } else if (oc) {
          if (sig == 134695760) {
            is = i2 += 12 + (oc == -2 && 8), f = 3, this_1.c = 0;
            return "break";
          } else if (sig == 33639248) {
            is = i2 -= 4, f = 3, this_1.c = 0;
            return "break";
          }
        }
      };
      var this_1 = this;
      for (; i2 < l - 4; ++i2) {
        var state_1 = _loop_2();
        if (state_1 === "break")
          break;
      }
      this.p = et;
      if (oc < 0) {
        var dat = f ? buf.subarray(0, is - 12 - (oc == -2 && 8) - (b4(buf, is - 16) == 134695760 && 4)) : buf.subarray(0, i2);
        if (add)
          add.push(dat, !!f);
        else
          this.k[+(f == 2)].push(dat);
      }
      if (f & 2)
        return this.push(buf.subarray(i2), final);
      this.p = buf.subarray(i2);
    }
    if (final) {
      if (this.c)
        err(13);
      this.p = null;
    }
  };
  Unzip2.prototype.register = function(decoder) {
    this.o[decoder.compression] = decoder;
  };
  return Unzip2;
})();

// src/github/artifact-zip.ts
var UnreadableArtifact = class extends Error {
};
async function readCapped(response, maxBytes) {
  const declared = Number(response.headers.get("content-length"));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new UnreadableArtifact(`its download is ${declared} bytes, over the ${maxBytes}-byte cap`);
  }
  const chunks = [];
  let total = 0;
  if (response.body) {
    for await (const chunk of response.body) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new UnreadableArtifact(`its download exceeds the ${maxBytes}-byte cap`);
      }
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks, total);
}
var SLICE = 4096;
function readZipEntry(zip, name, maxBytes) {
  const parts = [];
  let total = 0;
  let found = false;
  let done = false;
  let failure;
  const unzip = new Unzip((file) => {
    if (file.name !== name || found) return;
    found = true;
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) {
        failure = new UnreadableArtifact(`its ${name} cannot be inflated (${error.message})`);
        return;
      }
      total += chunk.length;
      if (total > maxBytes) {
        failure = new UnreadableArtifact(`its ${name} inflates past the ${maxBytes}-byte cap`);
        file.terminate();
        return;
      }
      parts.push(chunk);
      if (final) done = true;
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < zip.length && !failure && !done; at += SLICE) {
      const end = Math.min(at + SLICE, zip.length);
      unzip.push(zip.subarray(at, end), end === zip.length);
    }
  } catch (error) {
    throw new UnreadableArtifact(`it is not a readable zip (${error.message})`);
  }
  if (failure) throw failure;
  if (!found) throw new UnreadableArtifact(`it holds no ${name}`);
  if (!done) throw new UnreadableArtifact(`its ${name} is truncated`);
  return Buffer.concat(parts, total);
}

// src/github/state-common.ts
var STATE_SUBJECT = "state artifact";
var STATE_FILE = "state.json";
function stateRetry(options) {
  return (what, operation, classify) => withRetry(operation, {
    policy: options.policy,
    sleep: options.sleep ?? realSleep,
    classify,
    onRetry: ({ attempt, delayMs, error }) => options.log.debug(`${what} failed (${errorMessage(error)}); attempt ${attempt + 1} in ${delayMs} ms`)
  });
}

// src/github/state-provenance.ts
var MAX_STATE_ARTIFACT_BYTES = 1024 * 1024;
var PULL_REQUEST_EVENTS = /* @__PURE__ */ new Set([
  "pull_request",
  "pull_request_target",
  "pull_request_review",
  "pull_request_review_comment"
]);
var listedArtifactSchema = external_exports.object({
  id: external_exports.number().int(),
  name: external_exports.string(),
  size_in_bytes: external_exports.number().int(),
  expired: external_exports.boolean(),
  created_at: external_exports.string().nullable(),
  workflow_run: external_exports.object({
    id: external_exports.number().int().optional(),
    repository_id: external_exports.number().int().optional(),
    head_repository_id: external_exports.number().int().optional(),
    head_branch: external_exports.string().optional()
  }).nullable().optional()
});
var workflowRunSchema = external_exports.object({
  id: external_exports.number().int(),
  event: external_exports.string(),
  path: external_exports.string().optional(),
  repository: external_exports.object({ id: external_exports.number().int() }),
  head_repository: external_exports.object({ id: external_exports.number().int(), full_name: external_exports.string() }).nullable().optional()
});
var MIB = MAX_STATE_ARTIFACT_BYTES / (1024 * 1024);
function listedDistrust(artifact) {
  if (artifact.expired) return "it has expired";
  if (artifact.size_in_bytes > MAX_STATE_ARTIFACT_BYTES) {
    return `it is ${artifact.size_in_bytes} bytes, over the ${MIB} MiB cap for a state artifact (not read)`;
  }
  const run = artifact.workflow_run;
  if (run?.id === void 0 || run.repository_id === void 0) return "GitHub names no run that made it";
  if (run.head_repository_id !== run.repository_id) {
    return `run ${run.id} that made it ran code from another repository (a fork, head repository id ${run.head_repository_id ?? "unknown"})`;
  }
  return void 0;
}
function runDistrust(run) {
  if (PULL_REQUEST_EVENTS.has(run.event)) {
    return `run ${run.id} that made it was triggered by \`${run.event}\`, which a pull request controls`;
  }
  if (run.head_repository?.id !== run.repository.id) {
    return `run ${run.id} that made it ran code from ${run.head_repository?.full_name ?? "an unknown repository"}, not this repository`;
  }
  return void 0;
}

// src/github/state-candidates.ts
var MAX_PAGES = 5;
var MAX_RUN_LOOKUPS = 10;
var MAX_NOTED = 5;
var LIST = "GET /repos/{owner}/{repo}/actions/artifacts";
var GET_RUN = "GET /repos/{owner}/{repo}/actions/runs/{run_id}";
function newSearch() {
  return { seen: 0, skipped: [], expired: 0, runs: /* @__PURE__ */ new Map(), gaveUp: false };
}
function skip(search, artifact, reason, log) {
  const text = `state artifact ${artifact.id} (created ${artifact.created_at ?? "at an unknown time"}): ${reason}`;
  if (artifact.expired) {
    search.expired++;
    log.info(`Skipped ${text}`);
  } else {
    search.skipped.push(text);
    log.warning(`Ignored ${text}`);
  }
}
function noteOf(search, found) {
  const named = search.skipped.slice(0, MAX_NOTED);
  const more = search.skipped.length - named.length;
  const parts = [
    ...found ? [found] : [],
    ...named.length > 0 ? [`ignored ${named.join("; ")}${more > 0 ? `; and ${more} more (see the log)` : ""}`] : [],
    ...search.expired > 0 ? [`${search.expired} expired state artifact(s) skipped`] : []
  ];
  return parts.length > 0 ? parts.join(". ") : void 0;
}
function nothingFound(search) {
  if (search.gaveUp) {
    return noteOf(
      search,
      `gave up after asking about ${MAX_RUN_LOOKUPS} runs; no trusted state artifact found`
    );
  }
  return noteOf(search, search.seen === 0 ? "no state artifact found" : "no trusted state artifact found");
}
function createReads(options) {
  const { octokit, owner, repo } = options;
  const repository = `${owner}/${repo}`;
  function parsed(schema, data, what) {
    const result = schema.safeParse(data);
    if (!result.success) {
      throw new DestinationError(STATE_SUBJECT, `GitHub answered ${what} of ${repository} unexpectedly.`);
    }
    return result.data;
  }
  function readFailure(error, what) {
    if (error instanceof DestinationError) return error;
    const failure = httpFailure(error);
    if (failure && [401, 403, 404].includes(failure.status)) {
      return new DestinationError(
        "state-token",
        `Cannot read ${what} of ${repository} (HTTP ${failure.status}${failure.message ? `: ${failure.message}` : ""}). The state-token input needs "actions: read" on the repository ${repository}.`
      );
    }
    return new DestinationError(
      STATE_SUBJECT,
      `Reading ${what} of ${repository} failed: ${errorMessage(error)}.`
    );
  }
  async function* listed() {
    const what = "the state artifact list";
    const { artifactName } = options;
    const pages = octokit.paginate.iterator(LIST, { owner, repo, name: artifactName, per_page: 100 });
    let page = 0;
    try {
      for await (const { data } of pages) {
        yield* parsed(external_exports.array(listedArtifactSchema), data, what).filter((a) => a.name === artifactName);
        if (++page >= MAX_PAGES) return;
      }
    } catch (error) {
      throw readFailure(error, what);
    }
  }
  async function run(runId) {
    const what = `workflow run ${runId}`;
    const data = await octokit.request(GET_RUN, { owner, repo, run_id: runId }).then(
      (response) => response.data,
      (error) => Promise.reject(readFailure(error, what))
    );
    return parsed(workflowRunSchema, data, what);
  }
  return { listed, run };
}
function createCandidates(options) {
  const reads = createReads(options);
  async function distrust(artifact, search) {
    const listedReason = listedDistrust(artifact);
    if (listedReason) return listedReason;
    const runId = artifact.workflow_run?.id;
    let run = search.runs.get(runId);
    if (!run) {
      run = await reads.run(runId);
      search.runs.set(runId, run);
    }
    return runDistrust(run);
  }
  return async function* trusted(search) {
    for await (const artifact of reads.listed()) {
      search.seen++;
      if (!artifact.expired && search.runs.size >= MAX_RUN_LOOKUPS) {
        search.gaveUp = true;
        return;
      }
      const reason = await distrust(artifact, search);
      if (reason) skip(search, artifact, reason, options.log);
      else yield artifact;
    }
  };
}

// src/github/state-download.ts
var ARCHIVE = "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}";
var USER_AGENT = "sfmc-secret-rotation";
var StorageFailure = class extends Error {
  decision;
  constructor(message, decision) {
    super(message);
    this.decision = decision;
  }
};
function failureText(error) {
  const failure = httpFailure(error);
  if (!failure) return errorMessage(error);
  return `HTTP ${failure.status}${failure.message ? ` (${failure.message})` : ""}`;
}
function storageRefusal(response) {
  const { status } = response;
  const decision = status >= 500 || status === 429 ? { retry: true, retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) } : { retry: false };
  return new StorageFailure(`storage answered HTTP ${status}`, decision);
}
function createStateReader(options) {
  const { octokit, owner, repo } = options;
  const storageFetch = fetchWithTimeout(options.timeoutMs);
  async function archiveUrl(artifact) {
    const response = await octokit.request(ARCHIVE, {
      owner,
      repo,
      artifact_id: artifact.id,
      archive_format: "zip",
      request: { redirect: "manual" }
    }).catch((error) => {
      throw new Error(`GitHub gave no link to its archive: ${failureText(error)}`);
    });
    const location = response.headers.location;
    if (response.status !== 302 || !location) {
      throw new Error(`GitHub answered HTTP ${response.status} with no redirect to its archive`);
    }
    return location;
  }
  async function fromStorage(url) {
    const response = await storageFetch(url, { headers: { "user-agent": USER_AGENT } }).catch(
      (error) => {
        throw new StorageFailure(`storage did not answer (${errorMessage(error)})`, { retry: true });
      }
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw storageRefusal(response);
    }
    try {
      return await readCapped(response, MAX_STATE_ARTIFACT_BYTES);
    } catch (error) {
      if (error instanceof UnreadableArtifact) throw error;
      throw new StorageFailure(`the download broke off (${errorMessage(error)})`, { retry: true });
    }
  }
  return async function read(artifact) {
    const zip = await options.retried(
      "Downloading the state",
      async () => fromStorage(await archiveUrl(artifact)),
      (error) => error instanceof StorageFailure ? error.decision : { retry: false }
    );
    const text = Buffer.from(readZipEntry(zip, STATE_FILE, MAX_STATE_ARTIFACT_BYTES)).toString("utf8");
    const parsed = parseState(text);
    if (!parsed.ok) throw new UnreadableArtifact(`it is invalid: ${parsed.reason}`);
    return parsed.state;
  };
}

// src/github/state-save.ts
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
var UnansweredSave = class extends DestinationError {
};
function saveFailure(message, error) {
  const unanswered = /Unable to make request: (ECONNRESET|ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH)/.test(
    errorMessage(error)
  );
  return new (unanswered ? UnansweredSave : DestinationError)(
    STATE_SUBJECT,
    `${message}: ${errorMessage(error)}`
  );
}
function createStateSaver(options) {
  const { artifactName, log } = options;
  let client;
  const artifactClient = () => {
    const given = options.artifactClient;
    client ??= typeof given === "function" ? given() : Promise.resolve(given);
    return client;
  };
  let mayExist = (options.runAttempt ?? 1) > 1;
  async function deleteEarlier(artifacts) {
    if (!mayExist) return;
    try {
      const { id } = await artifacts.deleteArtifact(artifactName);
      log.debug(`Deleted this run's earlier state artifact ${id}`);
    } catch (error) {
      if (!(error instanceof Error && error.name === "ArtifactNotFoundError")) {
        throw saveFailure(`Could not replace this run's state artifact "${artifactName}"`, error);
      }
    }
  }
  async function saveOnce(dir, document) {
    const file = join(dir, STATE_FILE);
    await writeFile(file, `${JSON.stringify(document, null, 2)}
`, { mode: 384 });
    const artifacts = await artifactClient();
    await deleteEarlier(artifacts);
    let id;
    try {
      mayExist = true;
      ({ id } = await artifacts.uploadArtifact(artifactName, [file], dir, {
        retentionDays: options.retentionDays
      }));
    } catch (error) {
      throw saveFailure(`Could not save the state artifact "${artifactName}"`, error);
    }
    if (id === void 0) {
      throw new DestinationError(STATE_SUBJECT, `Saving the state artifact "${artifactName}" returned no id`);
    }
    log.debug(`Saved state (phase ${document.phase}) as artifact ${id}`);
    return { artifactId: id };
  }
  async function saveWithin(document) {
    const dir = await mkdtemp(join(options.workDir, "state-save-"));
    const { timeoutMs } = options;
    try {
      return await withDeadline("Saving the state artifact", 4 * timeoutMs, () => saveOnce(dir, document));
    } catch (error) {
      if (!(error instanceof TimedOut)) throw error;
      throw new DestinationError(STATE_SUBJECT, `${error.message}; GitHub's artifact service did not answer`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return async function save(state) {
    const document = stateSchema.parse(state);
    return options.retried(
      "Saving the state",
      () => saveWithin(document),
      (error) => ({ retry: error instanceof UnansweredSave })
    );
  };
}

// src/github/state-store.ts
function savedAtOf(artifact) {
  const savedAt = artifact.created_at ? new Date(artifact.created_at) : void 0;
  return savedAt && !Number.isNaN(savedAt.getTime()) ? savedAt : void 0;
}
function loaded(state, artifact, search) {
  const savedAt = savedAtOf(artifact);
  const note = noteOf(search, void 0);
  return { state, ...savedAt && { savedAt }, ...note && { note } };
}
function createArtifactStateStore(options) {
  const { log } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_GITHUB_TIMEOUT_MS;
  const retried = stateRetry(options);
  const trusted = createCandidates(options);
  const read = createStateReader({ ...options, timeoutMs, retried });
  async function load() {
    const search = newSearch();
    for await (const artifact of trusted(search)) {
      const label = `state artifact ${artifact.id} (run ${artifact.workflow_run?.id})`;
      try {
        const state = await read(artifact);
        log.debug(`Loaded ${label}: phase ${state.phase}`);
        return loaded(state, artifact, search);
      } catch (error) {
        if (!(error instanceof UnreadableArtifact)) {
          return { note: noteOf(search, `${label} could not be downloaded: ${errorMessage(error)}`) };
        }
        skip(search, artifact, error.message, log);
      }
    }
    return { note: nothingFound(search) };
  }
  return { load, save: createStateSaver({ ...options, timeoutMs, retried }) };
}
export {
  createArtifactStateStore
};
