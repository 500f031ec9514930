"""People: members, members missing from customers ("hidden"), and true guests, with their
names, contacts (spelt as people write them) and signups."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from stratify.devdata.generate.arrays import F64, I8, I64, Bool, Ints, assemble, pick, prefixed_ids
from stratify.devdata.generate.calendar import DAY, Calendar, seconds_of_day
from stratify.devdata.generate.config import GeneratorConfig
from stratify.devdata.generate.contract import SIGNUP_SOURCES
from stratify.devdata.generate.reference import (
    CITIES,
    DOMAIN_P_CN,
    DOMAIN_P_INTL,
    DOMAINS,
    GIVEN,
    MOBILE_PREFIXES,
    N_CN_CITIES,
    PHONE_CC,
    PHONE_P2,
    SURNAMES,
    WESTERN_FIRST,
    WESTERN_LAST,
)

# email spellings that normalise (lower-case, whitespace removed) to the same address
EMAIL_FORMS: tuple[Callable[[pa.Array], pa.Array] | None, ...] = (
    None,
    pc.utf8_upper,
    pc.utf8_capitalize,
    lambda s: pc.binary_join_element_wise("  ", s, " ", ""),
    lambda s: pc.replace_substring(s, "@", " @ "),
    lambda s: pc.replace_substring(s, "@", "\t@"),
    lambda s: pc.binary_join_element_wise(" ", pc.utf8_upper(s), "", ""),
)
# phone layouts; names are parts, other tokens literals. t/o/c are the trunk 0 and the
# brackets of a landline (empty for mobiles). Layouts 4-6 are domestic (China only).
PHONE_FORMATS: tuple[tuple[str, ...], ...] = (
    ("+", "cc", " ", "p2", " ", "a", " ", "b"),  # +86 138 0013 8000
    ("+", "cc", "p2", "p3"),  # +8613800138000
    ("00", "cc", " ", "p2", "p3"),  # 0086 13800138000
    ("+", "cc", " ", "p2", "-", "a", "-", "b"),  # +86 138-0013-8000
    ("t", "p2", "p3"),  # 13800138000, 02155550101
    ("o", "t", "p2", "c", " ", "a", " ", "b"),  # 138 0013 8000, (021) 5555 0101
    ("t", "p2", "-", "a", "-", "b"),  # 138-0013-8000, 021-5555-0101
)
_PHONE_PARTS = frozenset({"cc", "p2", "p3", "a", "b", "t", "o", "c"})
N_INTL_PHONE_FORMATS = 4


def _scatter(uid: I64, modulus: int, rng: np.random.Generator) -> I64:
    """An affine bijection of [0, modulus): distinct ids give distinct, random-looking numbers."""
    a = int(rng.integers(modulus // 3, modulus))
    while math.gcd(a, modulus) != 1:
        a += 1
    return (a * uid + int(rng.integers(0, modulus))) % modulus


@dataclass
class People:
    """Everyone in the data, as numbers: members first (ids follow signup order), then members
    missing from customers, then true guests. Strings are made per written slice."""

    n_members: int
    n_hidden: int
    intl: Bool
    city: I64
    sur: I64
    given: I64
    has_email: Bool
    has_phone: Bool
    local: pa.Array  # email local part per person
    domain: I64
    cc: I64
    p2: I64
    p3: I64
    landline: Bool
    phone_format: npt.NDArray[np.int8]  # layout the person writes their phone in
    pref_channel: I64
    home_store: I64
    nu: F64  # Gamma-Gamma spend rate
    # members only
    signup_s: I64
    source: I64
    referrer: I64  # -1: none
    birth_day: I64
    birth_null: Bool
    opt_in: Bool
    updated_s: I64
    name_null: Bool
    city_null: Bool
    country_null: Bool
    shared_email: int
    shared_phone: int
    # strings formatted once per person, then taken per written slice
    _cache: dict[str, pa.Array] = field(default_factory=dict, repr=False)

    @property
    def count(self) -> int:
        return len(self.city)

    def _cached(self, key: str, make: Callable[[], pa.Array]) -> pa.Array:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def customer_ids(self, number: Ints, null: Bool | None = None) -> pa.Array:
        """Customer id of members (and of members missing from customers) by number."""
        ids = self._cached("id", lambda: prefixed_ids("C", np.arange(1, self.count + 1), 8))
        return pc.take(ids, pa.array(number, type=pa.int64(), mask=null))

    def emails(self, idx: Ints) -> pa.Array:
        """Canonical (lower-case, trimmed) email of each person, null when none."""
        emails = self._cached("email", lambda: pc.binary_join_element_wise(
            self.local, "@", pick(DOMAINS, self.domain, ~self.has_email), ""))
        return pc.take(emails, pa.array(idx, type=pa.int64()))

    def phones(self, idx: Ints, fmt: I8) -> pa.Array:
        """Each person's phone in layout fmt (-1: null)."""
        fmt = np.where(self.has_phone[idx], fmt, -1).astype(np.int8)
        pieces = {k: pc.take(self._layout(k), pa.array(idx[fmt == k]))
                  for k in range(len(PHONE_FORMATS)) if (fmt == k).any()}
        return assemble(fmt, pieces, pa.string())

    def _layout(self, k: int) -> pa.Array:
        """Every person's phone in layout k (formatted once)."""
        key = f"phone{k}"
        if key in self._cache:
            return self._cache[key]
        p3 = pc.cast(pa.array(self.p3), pa.string())
        ll = pa.array(self.landline)
        parts = {
            "cc": pick(PHONE_CC, self.cc), "p2": pick(PHONE_P2, self.p2), "p3": p3,
            "a": pc.utf8_slice_codeunits(p3, 0, 4), "b": pc.utf8_slice_codeunits(p3, 4, 8),
            "t": pc.if_else(ll, "0", ""), "o": pc.if_else(ll, "(", ""), "c": pc.if_else(ll, ")", ""),
        }
        self._cache[key] = pc.binary_join_element_wise(
            *[parts[t] if t in _PHONE_PARTS else t for t in PHONE_FORMATS[k]], "")
        return self._cache[key]

    def full_names(self, idx: I64) -> pa.Array:
        """Full name of members: Chinese characters in China, Western names abroad."""
        intl = self.intl[idx]
        cn = pc.binary_join_element_wise(
            pick([s[0] for s in SURNAMES], self.sur[idx]), pick([g[0] for g in GIVEN], self.given[idx]), "")
        western = pc.binary_join_element_wise(
            pc.utf8_capitalize(pick(WESTERN_FIRST, self.given[idx] % len(WESTERN_FIRST))),
            pc.utf8_capitalize(pick(WESTERN_LAST, self.sur[idx] % len(WESTERN_LAST))), " ")
        names = pc.if_else(pa.array(intl), western, cn)
        return pc.if_else(pa.array(self.name_null[idx]), pa.scalar(None, pa.string()), names)


def simulate_people(rng: np.random.Generator, cfg: GeneratorConfig, cal: Calendar,
                    n_members: int, n_hidden: int, n_guests: int) -> People:
    """Draw every person: home city, name, contacts (a few shared between members), spend rate,
    and for members signup, source, referrer and profile."""
    n = n_members + n_hidden + n_guests
    uid = np.arange(n, dtype=np.int64)
    intl = rng.random(n) < cfg.international_share
    weights = np.array([c[6] for c in CITIES])
    cn_p, intl_p = weights[:N_CN_CITIES], weights[N_CN_CITIES:]
    city = np.where(intl, N_CN_CITIES + rng.choice(len(intl_p), n, p=intl_p / intl_p.sum()),
                    rng.choice(N_CN_CITIES, n, p=cn_p / cn_p.sum()))
    sur_w = np.array([s[2] for s in SURNAMES])
    sur = np.where(intl, rng.integers(0, len(WESTERN_LAST), n), rng.choice(len(SURNAMES), n, p=sur_w / sur_w.sum()))
    given = np.where(intl, rng.integers(0, len(WESTERN_FIRST), n), rng.integers(0, len(GIVEN), n))

    # contacts: members log in with an email, a phone or both; guests leave one or both
    member = uid < n_members + n_hidden
    u = rng.random(n)
    has_email = np.where(member, u < 0.85, u < 0.8)
    has_phone = np.where(member, u >= 0.10, u >= 0.5)

    # email local part: a name-based style plus a number unique per person
    num = pc.cast(pa.array(100_000 + _scatter(uid, max(9_900_000, 10 * n), rng)), pa.string())
    first = pc.if_else(pa.array(intl), pick(WESTERN_FIRST, given % len(WESTERN_FIRST)),
                       pick([g[1] for g in GIVEN], given % len(GIVEN)))
    last = pc.if_else(pa.array(intl), pick(WESTERN_LAST, sur % len(WESTERN_LAST)),
                      pick([s[1] for s in SURNAMES], sur % len(SURNAMES)))
    style = rng.choice(5, n, p=[0.3, 0.25, 0.15, 0.15, 0.15]).astype(np.int8)
    local = pc.choose(
        pa.array(style),
        pc.binary_join_element_wise(first, ".", last, num, ""),
        pc.binary_join_element_wise(last, first, num, ""),
        pc.binary_join_element_wise(last, "_", first, num, ""),
        num,
        pc.binary_join_element_wise(first, num, ""),
    )
    domain = np.where(intl, rng.choice(len(DOMAINS), n, p=DOMAIN_P_INTL),
                      rng.choice(len(DOMAINS), n, p=DOMAIN_P_CN))

    # phones: CN mobiles (most) or landlines of the home city, international numbers abroad
    landline = ~intl & (rng.random(n) < 0.08)
    cc = np.array([PHONE_CC.index(c[3]) for c in CITIES])[city]
    p2 = np.where(intl | landline, len(MOBILE_PREFIXES) + city, rng.integers(0, len(MOBILE_PREFIXES), n))
    p3 = 10_000_000 + _scatter(uid, 90_000_000, rng)
    phone_format = np.where(
        intl, rng.choice(N_INTL_PHONE_FORMATS, n, p=[0.5, 0.3, 0.1, 0.1]),
        rng.choice(len(PHONE_FORMATS), n, p=[0.08, 0.07, 0.05, 0.05, 0.55, 0.12, 0.08])).astype(np.int8)

    # members: signups over the period, growing; ids follow signup order
    nm = n_members
    signup_s = np.sort(cal.t0 + cal.sample_days(rng, nm, cal.growth_cum) * DAY + seconds_of_day(rng, nm))
    source = rng.choice(len(SIGNUP_SOURCES), nm, p=[0.28, 0.30, 0.14, 0.10, 0.09, 0.06, 0.012, 0.01, 0.008])
    source[:1] = np.where(source[:1] == 3, 0, source[:1])  # the first member cannot be referred
    referrer = np.where(source == 3, np.floor(rng.random(nm) * np.arange(nm)).astype(np.int64), -1)
    age_days = ((18 + rng.gamma(3.0, 5.0, nm)).clip(18, 80) * 365.25).astype(np.int64)
    updated_s = np.where(rng.random(nm) < 0.6,
                         np.minimum(signup_s + rng.exponential(200 * DAY, nm).astype(np.int64), cal.t_end - 1),
                         signup_s)

    # ~1% of members share an email or phone with an earlier member (one person, two accounts)
    copier = (rng.random(nm) < cfg.shared_contact_share) & (uid[:nm] > 0)
    sources = np.flatnonzero(~copier)
    src = sources[np.floor(rng.random(nm) * np.searchsorted(sources, uid[:nm])).astype(np.int64)]
    take_email = copier & has_email[src] & ((rng.random(nm) < 0.5) | ~has_phone[src])
    take_phone = copier & ~take_email
    email_of = uid.copy()
    email_of[:nm] = np.where(take_email, src, uid[:nm])
    local, domain = pc.take(local, pa.array(email_of)), domain[email_of]
    has_email[:nm] |= take_email
    phone_of = uid.copy()
    phone_of[:nm] = np.where(take_phone, src, uid[:nm])
    cc, p2, p3, landline = cc[phone_of], p2[phone_of], p3[phone_of], landline[phone_of]
    has_phone[:nm] |= take_phone

    pref = np.where(intl, rng.choice(4, n, p=[0.5, 0.2, 0.0, 0.3]), rng.choice(4, n, p=[0.3, 0.35, 0.15, 0.2]))
    pref[:nm] = np.where(source == 2, 2, pref[:nm])  # store signups shop in store
    return People(
        n_members=nm, n_hidden=n_hidden, intl=intl, city=city, sur=sur, given=given,
        has_email=has_email, has_phone=has_phone, local=local, domain=domain, cc=cc, p2=p2, p3=p3,
        landline=landline, phone_format=phone_format, pref_channel=pref,
        home_store=rng.integers(0, cfg.stores, n), nu=rng.gamma(cfg.gg_q, 1.0 / cfg.gg_gamma, n),
        signup_s=signup_s, source=source, referrer=referrer, birth_day=signup_s // DAY - age_days,
        birth_null=rng.random(nm) < 0.2, opt_in=rng.random(nm) < 0.55, updated_s=updated_s,
        name_null=rng.random(nm) < 0.04, city_null=rng.random(nm) < 0.02, country_null=rng.random(nm) < 0.01,
        shared_email=int(take_email.sum()), shared_phone=int(take_phone.sum()),
    )
