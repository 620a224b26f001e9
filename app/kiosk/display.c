/* SPDX-License-Identifier: Apache-2.0 */
/*
 * display: window, framebuffer and wakeups.
 *
 * Why the window framebuffer and not SDL_Renderer: on X11 an accelerated
 * renderer maps Mesa's software OpenGL with LLVM (about 80 MiB PSS on a Pi
 * class machine); the framebuffer path with acceleration off holds about
 * 10 MiB. Where a driver offers no framebuffer (KMSDRM without dumb
 * buffers), we retry with acceleration allowed, and say so in the log.
 */
#include "display.h"

#include <SDL_syswm.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct display {
	SDL_Window *window;
	SDL_Surface *surface;      /* the window's framebuffer */
	SDL_Surface *canvas;       /* logical screen; == surface when no rotation */
	SDL_Surface *phys;         /* rotation scratch in ARGB8888, physical size */
	int rotate;
	int x11_fd;                /* the X server connection, or -1 */
	int evdev[DISPLAY_MAX_WAKE_FDS - 2]; /* input devices under KMSDRM */
	int nevdev;
	int inotify_fd;            /* /dev/input hotplug under KMSDRM, or -1 */
	int poll_ms;
	char describe[160];
};

static void free_canvas(struct display *d)
{
	if (d->canvas && d->canvas != d->surface)
		SDL_FreeSurface(d->canvas);
	SDL_FreeSurface(d->phys);
	d->canvas = NULL;
	d->phys = NULL;
}

static int make_canvas(struct display *d, char *err, size_t errlen)
{
	free_canvas(d);
	d->surface = SDL_GetWindowSurface(d->window);
	if (!d->surface) {
		snprintf(err, errlen, "display: no window framebuffer: %s", SDL_GetError());
		return -1;
	}
	int pw = d->surface->w, ph = d->surface->h;
	if (d->rotate == 0 && d->surface->format->BytesPerPixel == 4) {
		d->canvas = d->surface; /* paint straight into the framebuffer */
		return 0;
	}
	int lw = pw, lh = ph;
	if (d->rotate == 90 || d->rotate == 270) {
		lw = ph;
		lh = pw;
	}
	d->canvas = SDL_CreateRGBSurfaceWithFormat(0, lw, lh, 32, SDL_PIXELFORMAT_ARGB8888);
	d->phys = SDL_CreateRGBSurfaceWithFormat(0, pw, ph, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!d->canvas || !d->phys) {
		snprintf(err, errlen, "display: out of memory for a %dx%d canvas", lw, lh);
		return -1;
	}
	return 0;
}

static void open_evdev(struct display *d)
{
	DIR *dir = opendir("/dev/input");
	if (!dir)
		return;
	struct dirent *e;
	while ((e = readdir(dir)) && d->nevdev < DISPLAY_MAX_WAKE_FDS - 2) {
		if (strncmp(e->d_name, "event", 5) != 0)
			continue;
		char path[300];
		snprintf(path, sizeof(path), "/dev/input/%s", e->d_name);
		/* Read-only and never grabbed: SDL reads the same events for itself. */
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			d->evdev[d->nevdev++] = fd;
	}
	closedir(dir);
}

static void setup_wakeups(struct display *d)
{
	SDL_SysWMinfo info;
	SDL_VERSION(&info.version);
	const char *driver = SDL_GetCurrentVideoDriver();
	d->x11_fd = -1;
	d->inotify_fd = -1;
	d->poll_ms = -1;
	if (SDL_GetWindowWMInfo(d->window, &info) && info.subsystem == SDL_SYSWM_X11) {
		d->x11_fd = ConnectionNumber(info.info.x11.display);
	} else if (driver && !strcmp(driver, "kmsdrm")) {
		open_evdev(d);
		d->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (d->inotify_fd >= 0 && inotify_add_watch(d->inotify_fd, "/dev/input", IN_CREATE | IN_ATTRIB) < 0) {
			close(d->inotify_fd);
			d->inotify_fd = -1;
		}
	} else if (driver && (!strcmp(driver, "offscreen") || !strcmp(driver, "dummy"))) {
		/* Headless: no input arrives except what the kiosk pushes itself. */
	} else {
		/* A driver with no descriptor to wait on (Wayland here): poll SDL at 60 Hz. */
		d->poll_ms = 16;
	}
}

int display_open(struct display **out, int fullscreen, int w, int h, int rotate, char *err, size_t errlen)
{
	*out = NULL;
	SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
	SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
	SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
		snprintf(err, errlen, "display: cannot start video: %s", SDL_GetError());
		return -1;
	}
	struct display *d = SDL_calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "display: out of memory");
		return -1;
	}
	d->rotate = rotate;
	d->x11_fd = d->inotify_fd = -1;
	Uint32 flags = fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0;
	d->window = SDL_CreateWindow("Tally", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
	if (!d->window) {
		snprintf(err, errlen, "display: cannot open a window: %s", SDL_GetError());
		display_close(d);
		return -1;
	}
	if (fullscreen)
		SDL_ShowCursor(SDL_DISABLE);
	const char *path = "software framebuffer";
	if (make_canvas(d, err, errlen) != 0) {
		SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "1");
		path = "framebuffer through an accelerated renderer";
		if (make_canvas(d, err, errlen) != 0) {
			display_close(d);
			return -1;
		}
	}
	setup_wakeups(d);
	snprintf(d->describe, sizeof(d->describe), "%s on %s, %dx%d, rotate %d",
		 path, SDL_GetCurrentVideoDriver(), d->surface->w, d->surface->h, rotate);
	*out = d;
	return 0;
}

void display_close(struct display *d)
{
	if (!d)
		return;
	free_canvas(d);
	for (int i = 0; i < d->nevdev; i++)
		close(d->evdev[i]);
	if (d->inotify_fd >= 0)
		close(d->inotify_fd);
	if (d->window)
		SDL_DestroyWindow(d->window);
	SDL_free(d);
	SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

SDL_Surface *display_canvas(struct display *d)
{
	return d->canvas;
}

SDL_Surface *display_panel(struct display *d)
{
	return d->surface;
}

void display_physical_size(struct display *d, int *w, int *h)
{
	*w = d->surface->w;
	*h = d->surface->h;
}

/* Copies the logical canvas into phys turned clockwise by d->rotate. */
static void rotate_pixels(struct display *d)
{
	SDL_Surface *src = d->canvas, *dst = d->phys;
	const Uint32 *s = src->pixels;
	Uint32 *o = dst->pixels;
	int sp = src->pitch / 4, dp = dst->pitch / 4;
	int lw = src->w, lh = src->h;
	for (int ly = 0; ly < lh; ly++) {
		const Uint32 *row = s + ly * sp;
		for (int lx = 0; lx < lw; lx++) {
			int px, py;
			switch (d->rotate) {
			case 90: px = lh - 1 - ly; py = lx; break;
			case 180: px = lw - 1 - lx; py = lh - 1 - ly; break;
			case 270: px = ly; py = lw - 1 - lx; break;
			default: px = lx; py = ly;
			}
			o[py * dp + px] = row[lx];
		}
	}
}

int display_present(struct display *d)
{
	if (d->canvas != d->surface) {
		rotate_pixels(d);
		if (SDL_BlitSurface(d->phys, NULL, d->surface, NULL) != 0)
			return -1;
	}
	return SDL_UpdateWindowSurface(d->window);
}

int display_refresh(struct display *d)
{
	int ow = d->canvas ? d->canvas->w : 0, oh = d->canvas ? d->canvas->h : 0;
	char err[200];
	if (make_canvas(d, err, sizeof(err)) != 0)
		return -1;
	return d->canvas->w != ow || d->canvas->h != oh;
}

int display_wake_fds(struct display *d, int *fds, int max)
{
	int n = 0;
	if (d->x11_fd >= 0 && n < max)
		fds[n++] = d->x11_fd;
	if (d->inotify_fd >= 0 && n < max)
		fds[n++] = d->inotify_fd;
	for (int i = 0; i < d->nevdev && n < max; i++)
		fds[n++] = d->evdev[i];
	return n;
}

int display_wake_drain(struct display *d, int fd)
{
	char buf[4096];
	if (fd == d->x11_fd)
		return 0; /* SDL_PumpEvents reads the X connection itself */
	while (read(fd, buf, sizeof(buf)) > 0)
		; /* evdev: SDL has its own descriptor for the same events */
	if (fd != d->inotify_fd)
		return 0;
	/* A device came or changed: open the set anew. */
	for (int i = 0; i < d->nevdev; i++)
		close(d->evdev[i]);
	d->nevdev = 0;
	open_evdev(d);
	return 1;
}

int display_poll_ms(struct display *d)
{
	return d->poll_ms;
}

const char *display_describe(struct display *d)
{
	return d->describe;
}
