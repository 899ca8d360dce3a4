// The editor library of @xmflows/node-red-qualtrics. scripts/build.js bundles this file and what it
// imports into resources/qualtrics-editor.js, which Node-RED serves at
// resources/@xmflows/node-red-qualtrics/qualtrics-editor.js and every dialog loads with <script src>
// before its own definition runs. It defines one namespaced global, NodeRedQualtrics.
import { windowOf } from "./browser";
import { CONFIG_TYPE, named, onlyConfig, operationLabel, prepare, preselectConfig, selectedConfig, showRow } from "./dialog";
import { load } from "./lookup";
import { messageParams, textOrLibraryMessage } from "./messages";
import { customIdType, idInput, pickerType } from "./picker";
import { applies, fixedIdOf, followOperation, idRule, inDirectory, operationSelect, picker, prefixes, selectOptions, showParts, specs } from "./spec-dialog";
import { idOf } from "../src/input-shapes";
import { injectStyle } from "./style";
import { checkTyped, field, fixed, httpUrl, isEnv, isSet, nodeText, PICKER, rules, typeOf, V, validator } from "./validation";
import { optionalTyped } from "./typed-fields";

export const library = {
  PICKER,
  CONFIG_TYPE,
  isEnv,
  field,
  typeOf,
  fixed,
  isSet,
  rules,
  checkTyped,
  validator,
  V,
  nodeText,
  pickerType,
  idInput,
  customIdType,
  selectedConfig,
  showRow,
  onlyConfig,
  preselectConfig,
  prepare,
  named,
  operationLabel,
  injectStyle,
  load,
  specs,
  applies,
  prefixes,
  idRule,
  operationSelect,
  selectOptions,
  showParts,
  messageParams,
  textOrLibraryMessage,
  httpUrl,
  optionalTyped,
  followOperation,
  picker,
  inDirectory,
  fixedIdOf,
  idOf,
};

const w = windowOf();
// every dialog file loads the library; the first load wins, so state (the list cache) is shared
if (!w.NodeRedQualtrics) w.NodeRedQualtrics = library;
