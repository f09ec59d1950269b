#!/usr/bin/python3
"""pydicom (Debian's 2.3.1) as an oracle for the DICOMDIR tests.

  dicomdir_records.py records DICOMDIR   every directory record as JSON: offset, type, its id
                                         (Patient ID, Study/Series UID, or referenced SOP Instance
                                         UID), its parent's id, and each element's VR and raw bytes
                                         (hex; sequences as nested items of the same form)
  dicomdir_records.py fileset DICOMDIR   pydicom FileSet: load the DICOMDIR and every instance
  dicomdir_records.py types < uids.json  pydicom's record type and retired flag for SOP classes
  dicomdir_records.py report D1 [D2...]  {"fileset": fileset of D1, "records": [records of each]} in one run
"""
import json
import sys
import warnings

import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.fileset import FileSet, _four_level_record_type, _single_level_record_type
from pydicom.uid import UID_dictionary

UNIQUE = {"PATIENT": "PatientID", "STUDY": "StudyInstanceUID", "SERIES": "SeriesInstanceUID"}
STRUCTURAL = {0x00041400, 0x00041410, 0x00041420}


def element_json(ds):
    """Raw bytes first (get_item before any access decodes the element), then the decoded text."""
    out = {}
    for tag in sorted(ds.keys()):
        if tag in STRUCTURAL:
            continue
        raw = ds.get_item(tag)
        key = f"{int(tag):08X}"
        raw_bytes = raw.value if isinstance(raw, RawDataElement) and isinstance(raw.value, bytes) else None
        elem = ds[tag]
        if elem.VR == "SQ":
            out[key] = {"vr": "SQ", "items": [element_json(item) for item in elem.value]}
            continue
        entry = {"vr": elem.VR}
        if raw_bytes is not None:
            entry["raw"] = raw_bytes.hex()
        value = elem.value
        entry["text"] = value.hex() if isinstance(value, bytes) else str(value)
        out[key] = entry
    return out


def records(path):
    ds = pydicom.dcmread(path)
    by_offset = {}
    for rec in ds.DirectoryRecordSequence:
        by_offset[rec.seq_item_tell] = rec
    out = []

    def walk(offset, parent):
        while offset:
            rec = by_offset[offset]
            elements = element_json(rec)  # first: it needs the elements still raw
            rtype = rec.DirectoryRecordType
            key = UNIQUE.get(rtype, "ReferencedSOPInstanceUIDInFile")
            rid = str(rec.get(key, ""))
            out.append({"offset": offset, "type": rtype, "id": rid, "parent": parent, "elements": elements})
            walk(rec.OffsetOfReferencedLowerLevelDirectoryEntity, rid)
            offset = rec.OffsetOfTheNextDirectoryRecord

    walk(ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, None)
    return out


def fileset(path):
    errors = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fs = FileSet(path)
        files = []
        for instance in fs:
            loaded = instance.load()
            files.append(instance.path)
            if loaded.SOPInstanceUID != instance.SOPInstanceUID:
                errors.append(f"{instance.path}: SOP Instance UID differs from the record's")
        # pydicom 2.3 announces the end of its DicomDir class on every read: not about the file
        errors += [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]
    return {"count": len(fs), "files": files, "errors": errors}


def types():
    uids = json.load(sys.stdin)
    out = {}
    for uid in uids:
        ds = Dataset()
        ds.SOPClassUID = uid
        entry = UID_dictionary.get(uid)
        single = _single_level_record_type(ds)
        if single != "PATIENT":
            record_type = single
        else:
            if uid in ("1.2.840.10008.5.1.4.1.1.104.1", "1.2.840.10008.5.1.4.1.1.104.2"):
                ds.EncapsulatedDocument = b""
            if uid == "1.2.840.10008.5.1.4.1.1.481.5":
                ds.RTPlanLabel = "PLAN"
            record_type = _four_level_record_type(ds)
        out[uid] = {"recordType": record_type, "retired": bool(entry and entry[3] == "Retired"), "known": entry is not None}
    print(json.dumps(out))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "records":
        print(json.dumps(records(sys.argv[2])))
    elif command == "fileset":
        try:
            print(json.dumps(fileset(sys.argv[2])))
        except Exception as e:  # a DICOMDIR pydicom cannot load: reported, not crashed
            print(json.dumps({"count": -1, "files": [], "errors": [f"{type(e).__name__}: {e}"]}))
    elif command == "report":
        print(json.dumps({"fileset": fileset(sys.argv[2]), "records": [records(p) for p in sys.argv[2:]]}))
    else:
        types()
