/* SPDX-License-Identifier: Apache-2.0 */
/* script: a text file of input events, replayed through SDL's event queue. */
#include "script.h"

#include <SDL.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

struct script {
	char **lines;
	int n, next;
	struct loop *loop;
	struct script_hooks hooks;
	int timer;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void push(struct script *s, SDL_Event *e)
{
	if (s->hooks.pushed)
		s->hooks.pushed(now_ns(), s->hooks.arg);
	SDL_PushEvent(e);
}

static Uint32 window_id(void)
{
	SDL_Window *w = SDL_GetKeyboardFocus();
	if (!w)
		w = SDL_GetWindowFromID(1);
	return w ? SDL_GetWindowID(w) : 0;
}

static void step(void *arg);

static void schedule(struct script *s, int64_t delay_ms)
{
	s->timer = loop_add_timer(s->loop, loop_now_ms() + delay_ms, step, s);
}

/* Runs one line; returns the delay before the next, or -1 to stop. */
static int64_t run_line(struct script *s, const char *line)
{
	char word[32], arg[1024];
	double x = 0, y = 0;
	SDL_Event e;
	memset(&e, 0, sizeof(e));
	if (sscanf(line, "%31s", word) != 1 || word[0] == '#')
		return 0;
	if (!strcmp(word, "key") && sscanf(line, "%*s %lf", &x) == 1) {
		e.type = SDL_KEYDOWN;
		e.key.windowID = window_id();
		e.key.state = SDL_PRESSED;
		e.key.keysym.sym = SDLK_1 + (int)x - 1;
		e.key.keysym.scancode = SDL_SCANCODE_1 + (int)x - 1;
		push(s, &e);
	} else if ((!strcmp(word, "touch") || !strcmp(word, "touch-down") || !strcmp(word, "touch-up")) &&
		   sscanf(line, "%*s %lf %lf", &x, &y) == 2) {
		e.type = !strcmp(word, "touch-up") ? SDL_FINGERUP : SDL_FINGERDOWN;
		e.tfinger.touchId = 1;
		e.tfinger.fingerId = 1;
		e.tfinger.x = (float)x;
		e.tfinger.y = (float)y;
		e.tfinger.pressure = 1;
		e.tfinger.windowID = window_id();
		push(s, &e);
	} else if ((!strcmp(word, "click") || !strcmp(word, "touch-click")) &&
		   sscanf(line, "%*s %lf %lf", &x, &y) == 2) {
		e.type = SDL_MOUSEBUTTONDOWN;
		e.button.windowID = window_id();
		e.button.which = word[0] == 't' ? SDL_TOUCH_MOUSEID : 0;
		e.button.button = SDL_BUTTON_LEFT;
		e.button.state = SDL_PRESSED;
		e.button.clicks = 1;
		e.button.x = (int)x;
		e.button.y = (int)y;
		push(s, &e);
	} else if (!strcmp(word, "wait") && sscanf(line, "%*s %lf", &x) == 1) {
		return (int64_t)x;
	} else if (!strcmp(word, "screenshot") && sscanf(line, "%*s %1023s", arg) == 1) {
		if (s->hooks.screenshot)
			s->hooks.screenshot(arg, s->hooks.arg);
	} else if (!strcmp(word, "quit")) {
		if (s->hooks.quit)
			s->hooks.quit(s->hooks.arg);
		return -1;
	} else {
		log_msg(LOG_WARNING, "script: line %d not understood: %s", s->next, line);
	}
	return 0;
}

static void step(void *arg)
{
	struct script *s = arg;
	s->timer = 0;
	while (s->next < s->n) {
		const char *line = s->lines[s->next++];
		int64_t delay = run_line(s, line);
		if (delay < 0)
			return;
		/* Let the loop handle what this line pushed before the next one. */
		schedule(s, delay);
		return;
	}
}

int script_start(struct script **out, const char *path, struct loop *loop, const struct script_hooks *hooks,
		 char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "script: %s: %s", path, strerror(errno));
		return -1;
	}
	struct script *s = calloc(1, sizeof(*s));
	if (!s) {
		fclose(f);
		snprintf(err, errlen, "script: out of memory");
		return -1;
	}
	s->loop = loop;
	s->hooks = *hooks;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		char **grown = realloc(s->lines, sizeof(char *) * (size_t)(s->n + 1));
		if (!grown)
			break;
		s->lines = grown;
		s->lines[s->n++] = strdup(line);
	}
	free(line);
	fclose(f);
	schedule(s, 0);
	*out = s;
	return 0;
}

void script_free(struct script *s)
{
	if (!s)
		return;
	if (s->timer > 0)
		loop_del_timer(s->loop, s->timer);
	for (int i = 0; i < s->n; i++)
		free(s->lines[i]);
	free(s->lines);
	free(s);
}
