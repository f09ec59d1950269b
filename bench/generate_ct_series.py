#!/usr/bin/python3
"""Writes one synthetic CT series for the ingest benchmark: COUNT single-frame CT Image Storage files
(Explicit VR Little Endian, 16-bit signed pixels) of one study and one series, named <SOPInstanceUID>.dcm.

The header carries the modules a scanner's CT image has (patient, study, series, frame of reference,
equipment, image plane, image pixel, CT image, VOI LUT, SOP common), so the receiver parses a realistic
amount of header per object. UIDs derive from --seed, so the same parameters give the same files.

Run with Debian's interpreter (/usr/bin/python3), which has pydicom 2.3 and numpy.
"""
import argparse
import os
import sys

import numpy as np
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, PYDICOM_IMPLEMENTATION_UID, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"


def uid(seed, *parts):
    # 2.25 UIDs from a fixed entropy source: deterministic, valid, and unique per (seed, parts).
    return generate_uid(prefix=None, entropy_srcs=[seed, *map(str, parts)])


def phantom(rows, cols):
    """A water-filled ellipse (0 HU) with bone ring (+700 HU) in air (-1000 HU), as stored values."""
    y, x = np.mgrid[0:rows, 0:cols]
    cy, cx = rows / 2, cols / 2
    r = ((y - cy) / (rows * 0.42)) ** 2 + ((x - cx) / (cols * 0.47)) ** 2
    hu = np.full((rows, cols), -1000, dtype=np.int16)
    hu[r <= 1.0] = 0
    hu[(r <= 1.0) & (r > 0.9)] = 700
    return hu + 1024  # stored value = HU - RescaleIntercept (-1024)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True, help="existing empty folder to write into")
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--rows", type=int, default=512)
    ap.add_argument("--cols", type=int, default=512)
    ap.add_argument("--seed", default="discrobot-bench-ct")
    args = ap.parse_args()

    study = uid(args.seed, "study")
    series = uid(args.seed, "series")
    frame_of_reference = uid(args.seed, "for")
    base = phantom(args.rows, args.cols)
    rng = np.random.default_rng(12345)
    thickness = 1.25

    for i in range(args.count):
        sop = uid(args.seed, "instance", i)
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
        meta.MediaStorageSOPInstanceUID = sop
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        path = os.path.join(args.out, f"{sop}.dcm")
        ds = FileDataset(path, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.is_little_endian = True
        ds.is_implicit_VR = False

        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.InstanceCreationDate = "20260115"
        ds.InstanceCreationTime = "101502"
        ds.SOPClassUID = CT_IMAGE_STORAGE
        ds.SOPInstanceUID = sop
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = "20260115"
        ds.StudyTime = "100000"
        ds.SeriesTime = "100512"
        ds.AcquisitionTime = ds.ContentTime = f"1005{12 + i // 100:02d}.{i % 100:02d}"
        ds.AccessionNumber = "BENCH0001"
        ds.Modality = "CT"
        ds.Manufacturer = "Discrobot Bench"
        ds.InstitutionName = "Benchmark Hospital"
        ds.ReferringPhysicianName = "Referrer^Robert"
        ds.StationName = "BENCHCT01"
        ds.StudyDescription = "CT THORAX ABDOMEN"
        ds.SeriesDescription = "Thorax 1.25mm"
        ds.ManufacturerModelName = "Synthetic 64"
        ds.PatientName = "Bench^Patient"
        ds.PatientID = "BENCH-0001"
        ds.PatientBirthDate = "19700101"
        ds.PatientSex = "O"
        ds.PatientAge = "056Y"
        ds.BodyPartExamined = "CHEST"
        ds.ScanOptions = "HELICAL MODE"
        ds.SliceThickness = thickness
        ds.KVP = 120
        ds.DataCollectionDiameter = 500
        ds.SoftwareVersions = "bench-1"
        ds.ReconstructionDiameter = 360
        ds.DistanceSourceToDetector = 1085.6
        ds.DistanceSourceToPatient = 595
        ds.GantryDetectorTilt = 0
        ds.TableHeight = 160
        ds.RotationDirection = "CW"
        ds.ExposureTime = 500
        ds.XRayTubeCurrent = 250
        ds.Exposure = 125
        ds.FilterType = "BODY FILTER"
        ds.GeneratorPower = 30
        ds.FocalSpots = 1.2
        ds.ConvolutionKernel = "STANDARD"
        ds.PatientPosition = "FFS"
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = series
        ds.StudyID = "1"
        ds.SeriesNumber = 2
        ds.AcquisitionNumber = 1
        ds.InstanceNumber = i + 1
        z = -100.0 - i * thickness
        ds.ImagePositionPatient = [-180.0, -180.0, z]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.FrameOfReferenceUID = frame_of_reference
        ds.PositionReferenceIndicator = ""
        ds.SliceLocation = z
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = args.rows
        ds.Columns = args.cols
        ds.PixelSpacing = [0.703125, 0.703125]
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 1
        ds.WindowCenter = [40, -600]
        ds.WindowWidth = [400, 1500]
        ds.RescaleIntercept = -1024
        ds.RescaleSlope = 1
        ds.RescaleType = "HU"

        # Noise makes every slice different (no accidental deduplication or compression anywhere).
        noise = rng.integers(-20, 21, size=base.shape, dtype=np.int16)
        ds.PixelData = (base + noise).astype("<i2").tobytes()
        ds.save_as(path, write_like_original=False)

    print(f"wrote {args.count} files into {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
