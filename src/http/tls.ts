export { createSelfSignedCert, type SelfSignedCert } from '../../lab/tls.js';
