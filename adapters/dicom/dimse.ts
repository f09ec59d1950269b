// The parts of dcmjs-dimse discrobot uses, typed once. The package is CommonJS (a webpack UMD
// bundle), so it is imported whole and destructured here.
import dcmjsDimse from 'dcmjs-dimse';

export const { Scp, Implementation, Dataset, constants, log: dimseLog } = dcmjsDimse;
export const { Association } = dcmjsDimse.association;
export const { CEchoResponse, CStoreResponse } = dcmjsDimse.responses;
export type DimseAssociation = InstanceType<typeof Association>;
export type DimseCStoreRequest = InstanceType<typeof dcmjsDimse.requests.CStoreRequest>;
export type DimseCEchoRequest = InstanceType<typeof dcmjsDimse.requests.CEchoRequest>;
export type DimsePresentationContext = InstanceType<typeof dcmjsDimse.association.PresentationContext>;
export type DimseCStoreResponse = InstanceType<typeof CStoreResponse>;
export type DimseCEchoResponse = InstanceType<typeof CEchoResponse>;
export type DimseDataset = InstanceType<typeof Dataset>;
