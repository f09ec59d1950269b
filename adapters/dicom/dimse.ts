// The parts of dcmjs-dimse discrobot uses, typed once. The package is CommonJS (a webpack UMD
// bundle), so it is imported whole and destructured here.
import dcmjsDimse from 'dcmjs-dimse';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../src/dicom/uid.ts';

export const { Scp, Implementation, Dataset, log: dimseLog } = dcmjsDimse;
export const { Association } = dcmjsDimse.association;

export const { CEchoResponse, CStoreResponse } = dcmjsDimse.responses;
export type DimseAssociation = InstanceType<typeof Association>;
export type DimseCStoreRequest = InstanceType<typeof dcmjsDimse.requests.CStoreRequest>;
export type DimseCEchoRequest = InstanceType<typeof dcmjsDimse.requests.CEchoRequest>;
export type DimsePresentationContext = InstanceType<typeof dcmjsDimse.association.PresentationContext>;
export type DimseCStoreResponse = InstanceType<typeof CStoreResponse>;
export type DimseCEchoResponse = InstanceType<typeof CEchoResponse>;
export type DimseDataset = InstanceType<typeof Dataset>;

// The library writes these process-global values into every A-ASSOCIATE-AC; left alone they are its
// own (1.2.826.0.1.3680043.10.854 / DCMJS-DIMSE-V0.2), and peers would log the wrong implementation.
Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID);
Implementation.setImplementationVersion(IMPLEMENTATION_VERSION_NAME);
