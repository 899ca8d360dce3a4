// IDs in the forms Qualtrics gives them (prefix and length), for the tests that need a valid one of
// a kind and do not care which.
export const SV = "SV_ebdf20QralHTzQF";
export const ML = "CG_6F1gRt186CZOVoh";
export const LIB = "UR_8cRedheujEbcxgN";
export const MS = "MS_1Mt2Nj5kczdnjMh";
export const EMD = "EMD_4OQ4N84KC82cfaV";
export const SMSD = "SMSD_gKFVORSKSkaMtSE";
export const DIR = "POOL_012345678901234";
export const CID = "CID_012345678901234";
