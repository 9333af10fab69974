/**
 * The lines rooms add to the text and interactive views: our own id per room
 * at start-up, and peers joining and leaving. Peer names are peer-controlled:
 * sanitised here like every other peer text.
 */
import type { RoomInfo, RoomPeerEvent } from '../app/view.js';
import { shortRoomPeer } from '../transport/room/peer-id.js';
import { sanitizeForDisplay as safe } from './sanitize.js';
import type { Theme } from './theme.js';

/** `In room lobby as @ab12cd34… (full id: @ab12…ef)`: what to give others so they can recognise us. */
export function formatRoomJoined(info: RoomInfo, theme: Theme): string {
  return `${theme.success('In room')} ${safe(info.room)} as ${theme.address(shortRoomPeer(info.id))} ${theme.notice(`(full id ${info.id})`)}`;
}

/** `Bob (@ab12cd34…) joined room lobby` / `… left room lobby`. */
export function formatRoomPeer(event: RoomPeerEvent, theme: Theme): string {
  const who = event.name === null ? theme.address(shortRoomPeer(event.peer)) : `${safe(event.name)} (${theme.address(shortRoomPeer(event.peer))})`;
  return theme.notice(`${who} ${event.type} room ${safe(event.room)}`);
}
