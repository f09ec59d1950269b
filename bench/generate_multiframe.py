#!/usr/bin/python3
"""Writes one large Multi-frame Grayscale Word Secondary Capture object for the memory benchmark:
FRAMES frames of ROWS x COLS 16-bit pixels, Explicit VR Little Endian, streamed to disk.

pydicom writes the header (everything before Pixel Data); the Pixel Data element header and the
frames are then appended a chunk at a time, so the object is never held in memory.

Run with Debian's interpreter (/usr/bin/python3), which has pydicom 2.3 and numpy.
"""
import argparse
import struct
import sys

import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.filewriter import dcmwrite
from pydicom.uid import ExplicitVRLittleEndian, PYDICOM_IMPLEMENTATION_UID, generate_uid

MF_GRAYSCALE_WORD_SC = "1.2.840.10008.5.1.4.1.1.7.3"
MAX_DEFINED_LENGTH = 0xFFFFFFFE  # 0xFFFFFFFF means "undefined length"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True, help="file to write")
    ap.add_argument("--frames", type=int, default=2048)
    ap.add_argument("--rows", type=int, default=512)
    ap.add_argument("--cols", type=int, default=512)
    ap.add_argument("--seed", default="discrobot-bench-multiframe")
    args = ap.parse_args()

    frame_bytes = args.rows * args.cols * 2
    pixel_length = frame_bytes * args.frames
    if pixel_length > MAX_DEFINED_LENGTH:
        sys.exit(f"pixel data of {pixel_length} bytes does not fit a defined 32-bit length")
    # 16-bit pixels always give an even length, as PS3.5 7.1.1 requires.
    assert pixel_length % 2 == 0

    sop = generate_uid(prefix=None, entropy_srcs=[args.seed, "instance"])
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MF_GRAYSCALE_WORD_SC
    meta.MediaStorageSOPInstanceUID = sop
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = FileDataset(args.out, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = False

    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.SOPClassUID = MF_GRAYSCALE_WORD_SC
    ds.SOPInstanceUID = sop
    ds.StudyDate = ds.ContentDate = "20260115"
    ds.StudyTime = ds.ContentTime = "110000"
    ds.AccessionNumber = "BENCH0002"
    ds.Modality = "OT"
    ds.ConversionType = "WSD"
    ds.Manufacturer = "Discrobot Bench"
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = "Large multiframe"
    ds.PatientName = "Bench^Large"
    ds.PatientID = "BENCH-0002"
    ds.PatientBirthDate = "19700101"
    ds.PatientSex = "O"
    ds.FrameTime = 33.3
    ds.StudyInstanceUID = generate_uid(prefix=None, entropy_srcs=[args.seed, "study"])
    ds.SeriesInstanceUID = generate_uid(prefix=None, entropy_srcs=[args.seed, "series"])
    ds.StudyID = "2"
    ds.SeriesNumber = 1
    ds.Laterality = ""
    ds.InstanceNumber = 1
    ds.PatientOrientation = ""
    ds.BurnedInAnnotation = "NO"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.NumberOfFrames = args.frames
    ds.FrameIncrementPointer = 0x00181063  # Frame Time
    ds.Rows = args.rows
    ds.Columns = args.cols
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.RescaleIntercept = 0
    ds.RescaleSlope = 1
    ds.RescaleType = "US"
    ds.PresentationLUTShape = "IDENTITY"
    ds.WindowCenter = 2048
    ds.WindowWidth = 4096

    # A handful of distinct frames, cycled: enough to keep the bytes from being trivially uniform,
    # cheap enough that writing 1 GiB is bounded by the disk, not by numpy.
    rng = np.random.default_rng(7)
    patterns = [rng.integers(0, 4096, size=(args.rows, args.cols), dtype=np.uint16).astype("<u2").tobytes()
                for _ in range(8)]

    with open(args.out, "wb") as f:
        dcmwrite(f, ds, write_like_original=False)
        # (7FE0,0010) OW, explicit VR: tag, VR, 2 reserved bytes, 32-bit length.
        f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, pixel_length))
        chunk_frames = 16
        for start in range(0, args.frames, chunk_frames):
            n = min(chunk_frames, args.frames - start)
            f.write(b"".join(patterns[(start + k) % len(patterns)] for k in range(n)))

    print(f"wrote {args.out}: {args.frames} frames, pixel data {pixel_length} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
