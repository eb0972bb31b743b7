"""The WLT decoder hook through ctypes, with a stand-in vendor library compiled for the test.

No open WLT decoder exists, so the stand-in implements the vendor calling convention
(`int unpack(char *wlt, char *bmp, int save)`, 38,862-byte BMP out, 1 on success) and derives
its pixels from the input, which shows the bytes really crossed the ctypes boundary.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from drivers.idcard import wlt_availability
from drivers.idcard.wlt import BMP_LEN, WltDecodeError, WltDecoder, WltUnavailable, load_wlt_decoder
from drivers.sim.idcard_samples import wlt_photo
from tests.support.env import need

VENDOR_C = r"""
#include <string.h>
int unpack(char *src, char *dst, int save) {
    if (save != 0) return -2;              /* the kiosk never asks for a file */
    if (memcmp(src, "WLf", 3) != 0) return -1;
    memset(dst, 0, 38862);
    dst[0] = 'B'; dst[1] = 'M';
    unsigned int size = 38862;
    memcpy(dst + 2, &size, 4);
    for (int i = 54; i < 38862; i++) dst[i] = src[i % 1024];
    return 1;
}
int broken(char *src, char *dst, int save) { return 1; }
"""


@pytest.fixture(scope="module")
def vendor_lib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cc = shutil.which("cc") or shutil.which("gcc")
    need(cc is not None, "no C compiler to build the stand-in WLT library (apt install gcc)")
    assert cc is not None
    work = tmp_path_factory.mktemp("wlt")
    src = work / "wlt.c"
    src.write_text(VENDOR_C)
    lib = work / "libwlt.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(lib), str(src)], check=True, timeout=60)
    return lib


def test_decodes_through_the_vendor_function(vendor_lib: Path) -> None:
    decoder = WltDecoder(vendor_lib)
    photo = wlt_photo("150102198503121232")
    bmp = decoder.decode(photo)
    assert len(bmp) == BMP_LEN and bmp[:2] == b"BM"
    assert int.from_bytes(bmp[2:6], "little") == BMP_LEN
    assert bmp[54:1078] == (photo * 2)[54:1078]


def test_the_vendor_refusing_the_bytes_is_a_typed_error(vendor_lib: Path) -> None:
    decoder = WltDecoder(vendor_lib)
    with pytest.raises(WltDecodeError, match="returned -1"):
        decoder.decode(b"XX" + bytes(1022))
    with pytest.raises(WltDecodeError, match="expected 1024"):
        decoder.decode(b"WLf")


def test_output_that_is_not_a_bmp_is_refused(vendor_lib: Path) -> None:
    decoder = WltDecoder(vendor_lib, function="broken")
    with pytest.raises(WltDecodeError, match="did not produce a BMP"):
        decoder.decode(wlt_photo("x"))


def test_a_library_without_the_function_is_unavailable(vendor_lib: Path) -> None:
    with pytest.raises(WltUnavailable, match="has no function nope"):
        WltDecoder(vendor_lib, function="nope")


def test_not_configured_means_photo_comparison_off(tmp_path: Path, vendor_lib: Path) -> None:
    assert load_wlt_decoder(None) == (None, "not configured: ID-photo face comparison is off")
    ok, detail = wlt_availability(tmp_path / "libmissing.so")
    assert not ok and "not found" in detail and "comparison is off" in detail
    not_a_lib = tmp_path / "libfake.so"
    not_a_lib.write_text("not an ELF file")
    ok, detail = wlt_availability(not_a_lib)
    assert not ok and "cannot load" in detail
    ok, detail = wlt_availability(vendor_lib)
    assert ok and detail.endswith("loaded")
