#ifndef CALLWARDEN_CSYSTEMD_H
#define CALLWARDEN_CSYSTEMD_H
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#endif
