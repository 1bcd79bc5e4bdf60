"""Links are judged by the host the servers that fetch them would connect to: every spelling
of a private address is refused, every malformed link is a problem naming it, and ordinary
public links (IDN, ports, commas in the path) pass unchanged."""

from __future__ import annotations

import random

import pytest

from bot.generation.links import WebLink, judge_link, parse_host, split_links
from bot.generation.problems import Problem, ProblemCode
from bot.messages.catalog import ENGLISH
from bot.messages.validation import describe_problem

P = ProblemCode
OK = None

# link -> None when it must pass, else the problem it must get.
VERDICTS: dict[str, ProblemCode | None] = {
    # IPv4 loopback, spelled every way WHATWG (and inet_aton) accepts
    "http://127.0.0.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://2130706433/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://0x7f.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://0x7f000001/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://0177.0.0.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://0x7F.0.0.01/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://127.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://127.0.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://127.0.0.1./a.png": P.LINK_PRIVATE_ADDRESS,
    "http://0/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://0x/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://１２７.０.０.１/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://127.0.0.%31/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://127。0。0。1/a.png": P.LINK_PRIVATE_ADDRESS,
    # cloud metadata, private ranges, CGNAT, multicast, reserved
    "http://2852039166/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://169.254.169.254/latest/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://10.0.0.8/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://012.0.0.8/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://172.16.0.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://172.31.255.255/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://192.168.1.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://0xc0a80101/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://100.64.0.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://100.127.255.254/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://224.0.0.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://240.0.0.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://255.255.255.255/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://user@127.0.0.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://example.com@10.0.0.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http:\\\\127.0.0.1\\a.png": P.LINK_PRIVATE_ADDRESS,
    # IPv6, including forms that carry an IPv4 address
    "http://[::1]/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[::]/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[::ffff:127.0.0.1]/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[::ffff:7f00:1]/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[::ffff:a9fe:a9fe]:80/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[64:ff9b::7f00:1]/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[2002:7f00:1::]/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[fc00::1]/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[fd12:3456::1]/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[fe80::1]/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[ff02::1]/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://[fe80::1%25eth0]/a.png": P.LINK_ZONE_ID,
    # local names
    "http://localhost/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://localhost./a.png": P.LINK_PRIVATE_ADDRESS,
    "http://LOCALHOST:8000/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://ｌｏｃａｌｈｏｓｔ/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://%6c%6fcalhost/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://loc\u00adalhost/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://api.localhost/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://nas/a.png": P.LINK_LOCAL_NAME,
    "http://printer.local/a.png": P.LINK_LOCAL_NAME,
    "http://metadata.google.internal/a.png": P.LINK_LOCAL_NAME,
    "http://router.home.arpa/a.png": P.LINK_LOCAL_NAME,
    "http://files.lan/a.png": P.LINK_LOCAL_NAME,
    # malformed: a problem naming the link, never an exception
    "http://[::1/a.png": P.LINK_BAD_IPV6,
    "http://[]/a.png": P.LINK_BAD_IPV6,
    "http://[::1]x/a.png": P.LINK_BAD_IPV6,
    "http://[127.0.0.1]/a.png": P.LINK_BAD_IPV6,
    "http://": P.LINK_NOT_WEB_ADDRESS,
    "https:///a.png": P.LINK_NOT_WEB_ADDRESS,
    "http:example.com/a.png": P.LINK_NOT_WEB_ADDRESS,
    "http://user@/a.png": P.LINK_NOT_WEB_ADDRESS,
    "ftp://example.com/a.png": P.LINK_NOT_WEB_ADDRESS,
    "file:///etc/passwd.png": P.LINK_NOT_WEB_ADDRESS,
    "gopher://127.0.0.1/a.png": P.LINK_NOT_WEB_ADDRESS,
    "example.com/a.png": P.LINK_NOT_WEB_ADDRESS,
    "http://exa%20mple.com/a.png": P.LINK_BAD_HOST,
    "http://a..b.com/a.png": P.LINK_BAD_HOST,
    "http://exa*mple.com/a.png": P.LINK_BAD_HOST,
    "http://xn--zz.com/a.png": P.LINK_BAD_HOST,
    "http://ex%zzample.com/a.png": P.LINK_BAD_PERCENT_ENCODING,
    "http://ex%e2ample.com/a.png": P.LINK_BAD_PERCENT_ENCODING,
    "http://example.com:99999/a.png": P.LINK_BAD_PORT,
    "http://example.com:8a/a.png": P.LINK_BAD_PORT,
    "http://example.com:0/a.png": P.LINK_BAD_PORT,
    "http://example.com:８０/a.png": P.LINK_BAD_PORT,
    "http://example.com:" + "9" * 5000 + "/a.png": P.LINK_BAD_PORT,
    "http://example.com:000080/a.png": OK,
    "http://" + "1" * 5000 + "/a.png": P.LINK_BAD_HOST,
    "http://1." + "1" * 1000 + "/a.png": P.LINK_BAD_IPV4,
    "http://0x" + "0" * 40 + "7f.1/a.png": P.LINK_PRIVATE_ADDRESS,
    "http://1.2.3.4.5/a.png": P.LINK_BAD_IPV4,
    "http://256.0.0.1/a.png": P.LINK_BAD_IPV4,
    "http://1.2.3.09/a.png": P.LINK_BAD_IPV4,
    "http://example.123/a.png": P.LINK_BAD_IPV4,
    # parsers would disagree on the host, or the link hides who it is for
    "http://example.com\\@127.0.0.1/a.png": P.LINK_BACKSLASH_IN_HOST,
    "http:\\\\example.com/a.png": P.LINK_BACKSLASH_IN_HOST,
    "https://user:secret@example.com/a.png": P.LINK_HAS_USER_INFO,
    "https://discord.com@evil.example/a.png": P.LINK_HAS_USER_INFO,
    # public links that must pass
    "https://example.com/a.png": OK,
    "HTTPS://EXAMPLE.COM/A.PNG": OK,
    "http://example.com./a.png": OK,
    "https://example.com:8443/a.png": OK,
    "https://example.com:/a.png": OK,
    "https://bücher.example/a.png": OK,
    "https://xn--bcher-kva.example/a.png": OK,
    "https://例え.jp/画像.png": OK,
    "https://ｅｘａｍｐｌｅ.com/a.png": OK,
    "https://res.cloudinary.com/x/image/upload/w_500,h_500/a.png": OK,
    "https://my_bucket.s3.amazonaws.com/a.png": OK,
    "http://8.8.8.8/a.png": OK,
    "http://134744072/a.png": OK,
    "http://[2606:4700::1111]/a.png": OK,
    "http://[::ffff:8.8.8.8]/a.png": OK,
    "https://cdn.discordapp.com/attachments/1/2/a.png?ex=65f&is=65e&hm=abc123": OK,
    "https://example.com/a.png#@127.0.0.1": OK,
    "https://example.com/path\\a.png": OK,
}


@pytest.mark.parametrize(
    ("link", "verdict"), VERDICTS.items(), ids=[link[:60] for link in VERDICTS]
)
def test_link_verdicts(link: str, verdict: ProblemCode | None):
    judged = judge_link(3, link)

    if verdict is None:
        assert isinstance(judged, WebLink), judged
        assert judged.url == link  # sent on exactly as written (signatures must survive)
        return
    assert isinstance(judged, Problem), judged
    assert judged.code == verdict
    assert judged.params["number"] == 3 and judged.params["link"] == link
    sentence = describe_problem(ENGLISH, judged)
    assert sentence.startswith("link 3 (`")


def test_a_private_address_says_private_or_local_however_it_is_spelled():
    for link in ("http://0x7f.1/a.png", "http://ｌｏｃａｌｈｏｓｔ/a.png", "http://[::1]/a.png"):
        sentence = describe_problem(ENGLISH, judge_link(1, link))  # type: ignore[arg-type]
        assert "private or local address" in sentence and "public link" in sentence


def test_an_idn_host_is_kept_as_written_and_judged_in_punycode():
    judged = judge_link(1, "https://bücher.example/Bild.PNG")

    assert parse_host("bücher.example") == "xn--bcher-kva.example"
    assert judged == WebLink(
        url="https://bücher.example/Bild.PNG",
        kind="image",
        file_format="PNG",
        name="Bild.PNG",
    )


def test_odd_input_never_raises():
    # Whatever is pasted, the answer is a verdict, not "Something went wrong".
    alphabet = "hts:/\\[]@%.:0123456789abfx-_#?<>ｌ１。\u00ad\u200b\u0301ü ,"
    rng = random.Random(2026)
    for _ in range(3000):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        long_body = body * 250 if rng.random() < 0.05 else body
        for link in (
            body,
            "http://" + body,
            "https://[" + body,
            "http://" + body + "/a.png",
            "http://a.example:" + long_body,
            "http://" + long_body + "/a.png",
        ):
            judged = judge_link(1, link)
            assert isinstance(judged, WebLink | Problem)
            if isinstance(judged, Problem):
                describe_problem(ENGLISH, judged)


SPLITS = {
    "one link": ("https://a.example/1.png", ["https://a.example/1.png"]),
    "comma inside a Cloudinary path": (
        "https://res.cloudinary.com/x/image/upload/w_500,h_500/a.png",
        ["https://res.cloudinary.com/x/image/upload/w_500,h_500/a.png"],
    ),
    "comma right before a scheme": (
        "https://a.example/1.png,https://b.example/2.png",
        ["https://a.example/1.png", "https://b.example/2.png"],
    ),
    "comma and space": (
        "https://a.example/1.png, https://b.example/2.png",
        ["https://a.example/1.png", "https://b.example/2.png"],
    ),
    "space before comma": (
        "https://a.example/1.png ,https://b.example/2.png",
        ["https://a.example/1.png", "https://b.example/2.png"],
    ),
    "doubled commas": (
        "https://a.example/1.png,,http://b.example/2.png,",
        ["https://a.example/1.png", "http://b.example/2.png"],
    ),
    "angle brackets": (
        "<https://a.example/1.png>,<https://b.example/2.png>",
        ["https://a.example/1.png", "https://b.example/2.png"],
    ),
    "new lines and tabs": (
        "https://a.example/1.png\n\thttps://b.example/2.png",
        ["https://a.example/1.png", "https://b.example/2.png"],
    ),
    "comma before another scheme still splits": (
        "https://a.example/1.png,ftp://b.example/2.png",
        ["https://a.example/1.png", "ftp://b.example/2.png"],
    ),
    "comma before a bare name stays in the link": (
        "https://a.example/1.png,b.example/2.png",
        ["https://a.example/1.png,b.example/2.png"],
    ),
    "only separators": (" , ,, <> ", []),
    "nothing": ("", []),
}


@pytest.mark.parametrize(("text", "links"), SPLITS.values(), ids=SPLITS.keys())
def test_splitting_links(text: str, links: list[str]):
    assert split_links(text) == links
