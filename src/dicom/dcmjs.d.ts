// The small part of dcmjs (shipped without type declarations) that src/dicom uses.
declare module 'dcmjs' {
  interface DictionaryEntry {
    tag: string;
    vr: string;
    vm: string;
    name: string;
  }
  const dcmjs: {
    data: {
      DicomMetaDictionary: {
        /** Lookup by "(gggg,eeee)" (a Proxy in dcmjs 0.50: not enumerable). */
        dictionary: Record<string, DictionaryEntry | undefined>;
        /** Every standard entry by keyword; enumerable. Repeating groups appear once, as 5000/6000. */
        nameMap: Record<string, DictionaryEntry>;
      };
    };
  };
  export default dcmjs;
}
