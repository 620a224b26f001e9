/* SPDX-License-Identifier: Apache-2.0 */
/*
 * display: the kiosk's window and how pixels reach the panel.
 *
 * The kiosk draws into a canvas surface the size of the logical screen and
 * presents it through SDL's window framebuffer (SDL_GetWindowSurface) with
 * SDL_HINT_FRAMEBUFFER_ACCELERATION off: no OpenGL context, no Mesa, a few
 * MiB. Rotation is a pixel copy at present time.
 *
 * The loop sleeps in poll(): display_wake_fds gives descriptors that turn
 * readable when SDL may have input (the X11 connection, or the evdev
 * devices under KMSDRM, which has no blocking wait of its own).
 */
#ifndef TALLY_DISPLAY_H
#define TALLY_DISPLAY_H

#include <SDL.h>
#include <stddef.h>

#define DISPLAY_MAX_WAKE_FDS 32

struct display;

/* Opens a window: fullscreen (w, h ignored) or w x h. 0, or -1 with err. */
int display_open(struct display **out, int fullscreen, int w, int h, int rotate, char *err, size_t errlen);
void display_close(struct display *d);

/* The canvas to paint, logical size (rotation applied). */
SDL_Surface *display_canvas(struct display *d);
/* The panel's pixels as last presented (tests read them back). */
SDL_Surface *display_panel(struct display *d);
/* The panel's physical size in pixels. */
void display_physical_size(struct display *d, int *w, int *h);
/* Shows the canvas on the panel. 0, or -1 with SDL's error. */
int display_present(struct display *d);
/* After a resize: re-fetch the window surface. 1 if the canvas size changed. */
int display_refresh(struct display *d);

/* Descriptors to poll for input; returns how many. */
int display_wake_fds(struct display *d, int *fds, int max);
/*
 * Called when one of them is readable: consumes the wakeup. Returns 1 when
 * the set of descriptors changed (an input device came or went).
 */
int display_wake_drain(struct display *d, int fd);
/* Poll timeout when the driver offers no descriptor: ms, or -1 for none needed. */
int display_poll_ms(struct display *d);
/* One line saying which path pixels take, for the log and benchmarks. */
const char *display_describe(struct display *d);

#endif
