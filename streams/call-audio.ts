import { callMediaStream } from './call-media.js';

export const callAudio = callMediaStream('audio');
