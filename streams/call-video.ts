import { callMediaStream } from './call-media.js';

export const callVideo = callMediaStream('video');
