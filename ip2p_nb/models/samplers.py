"""The samplers, by the names the Stable Diffusion web UI gives them: the table, checking a name, a scheduler made
from it, and the name of a scheduler. Importing this module does not import torch or diffusers (a room's pages
check sampler names without them); `make_scheduler` imports diffusers when it runs.
"""
from ..errors import SettingError, UserError

__all__ = ["SCHEDULERS", "EDM_SCHEDULERS", "available_schedulers", "schedulers_for", "check_scheduler", "make_scheduler",
           "set_scheduler", "scheduler_name", "fewest_steps", "check_sampler_steps", "is_edm"]


def is_edm(scheduler_or_config) -> bool:
    """Whether a scheduler (or its config) is an EDM one (sigma_data): the kind CosXL is trained for."""
    config = getattr(scheduler_or_config, "config", scheduler_or_config)
    return "sigma_data" in dict(config)


# Samplers by the names the Stable Diffusion web UI (AUTOMATIC1111) gives them -> the diffusers scheduler
# class and the settings that make it that sampler. Settings not named here are reset to the class's own
# defaults, so "DPM++ 2M" after "DPM++ 2M Karras" really drops the Karras sigmas.
SCHEDULERS = {
    "Euler a": ("EulerAncestralDiscreteScheduler", {}),        # the default (defaults.DEFAULT_SCHEDULER)
    "Euler": ("EulerDiscreteScheduler", {}),
    "Heun": ("HeunDiscreteScheduler", {}),                      # 2 UNet calls per step
    "LMS": ("LMSDiscreteScheduler", {}),                        # needs scipy
    "LMS Karras": ("LMSDiscreteScheduler", {"use_karras_sigmas": True}),
    "DPM2": ("KDPM2DiscreteScheduler", {}),                     # 2 UNet calls per step
    "DPM2 Karras": ("KDPM2DiscreteScheduler", {"use_karras_sigmas": True}),
    "DPM2 a": ("KDPM2AncestralDiscreteScheduler", {}),          # 2 UNet calls per step
    "DPM2 a Karras": ("KDPM2AncestralDiscreteScheduler", {"use_karras_sigmas": True}),
    "DPM++ 2M": ("DPMSolverMultistepScheduler", {}),
    "DPM++ 2M Karras": ("DPMSolverMultistepScheduler", {"use_karras_sigmas": True}),
    "DPM++ 2M SDE": ("DPMSolverMultistepScheduler", {"algorithm_type": "sde-dpmsolver++"}),
    "DPM++ 2M SDE Karras": ("DPMSolverMultistepScheduler", {"algorithm_type": "sde-dpmsolver++", "use_karras_sigmas": True}),
    "DPM++ 2S": ("DPMSolverSinglestepScheduler", {}),
    "DPM++ SDE": ("DPMSolverSDEScheduler", {}),                 # needs torchsde; 2 UNet calls per step
    "DPM++ SDE Karras": ("DPMSolverSDEScheduler", {"use_karras_sigmas": True}),
    "DDIM": ("DDIMScheduler", {}),
    "DDPM": ("DDPMScheduler", {}),
    "PLMS": ("PNDMScheduler", {"skip_prk_steps": True}),        # diffusers' PNDM without its Runge-Kutta warm-up: the web
                                                                # UI's PLMS, and what SD 1.5's own scheduler config sets
    "UniPC": ("UniPCMultistepScheduler", {}),
    "DEIS": ("DEISMultistepScheduler", {}),
    # EDMEulerScheduler is in diffusers' compatible list too, but it is made for EDM-trained models (CosXL):
    # an SD 1.5 checkpoint gives noise with it, so it is named only in EDM_SCHEDULERS, for those models.
}
# Samplers for EDM-trained models (CosXL Edit), and only for them: each kind gives noise with the other's samplers.
EDM_SCHEDULERS = {
    "EDM Euler": ("EDMEulerScheduler", {}),                     # CosXL Edit's own (conditioning.COSXL_SCHEDULER)
    "EDM DPM++ 2M": ("EDMDPMSolverMultistepScheduler", {}),
}
_ALIASES = {"PNDM": "PLMS"}


def fewest_steps(scheduler) -> int:
    """The fewest steps `scheduler` runs, as diffusers runs it: PNDM with its Runge-Kutta warm-up (`skip_prk_steps`
    false) fails inside its `step` below 4; PNDM without it (diffusers' own test fixture, SD 1.5's config, our
    PLMS) and every other sampler of the table run from 1 step (tests/test_schedulers.py tries 1-4)."""
    if type(scheduler).__name__ == "PNDMScheduler" and not scheduler.config.get("skip_prk_steps", False):
        return 4
    return 1


def check_sampler_steps(scheduler, steps, sampler: str) -> None:
    """Refuse, in one sentence, fewer steps than `scheduler` (named `sampler`) can run (`fewest_steps`)."""
    least = fewest_steps(scheduler)
    if steps is not None and steps < least:
        raise SettingError(f"The {sampler} sampler needs at least {least} steps, but got {steps}; use {least} or more "
                           "steps, or another sampler such as Euler a.")
_RESET = ("use_karras_sigmas", "algorithm_type", "skip_prk_steps")  # settings that the table decides


def available_schedulers() -> list[str]:
    """The sampler names `load_editor(scheduler=...)` and `--scheduler` accept (for EDM models: `EDM_SCHEDULERS`)."""
    return list(SCHEDULERS)


def schedulers_for(pipe) -> list[str]:
    """The sampler names that fit `pipe`: `EDM_SCHEDULERS` for an EDM-trained model (CosXL Edit), else `SCHEDULERS`."""
    return list(EDM_SCHEDULERS if is_edm(pipe.scheduler) else SCHEDULERS)


def check_scheduler(name: str) -> str:
    """The table's spelling of sampler `name` (any case; "PNDM" for "PLMS"); an unknown name fails in one sentence."""
    if not isinstance(name, str):
        raise UserError(f"`scheduler` must be a sampler name such as 'Euler a', but got {name!r}.")
    key = {k.lower(): k for k in list(SCHEDULERS) + list(EDM_SCHEDULERS) + list(_ALIASES)}.get(name.strip().lower())
    if key is None:
        raise UserError(f"Unknown scheduler {name!r}; choose one of: {', '.join(SCHEDULERS)}.")
    return _ALIASES.get(key, key)


def make_scheduler(name: str, config):
    """A new scheduler for sampler `name` (web UI name, any case), built from another scheduler's `config`."""
    import diffusers  # noqa: PLC0415

    name = check_scheduler(name)
    if (name in EDM_SCHEDULERS) != is_edm(config):
        kind, fits = ("an EDM-trained model (CosXL Edit)", EDM_SCHEDULERS) if is_edm(config) else ("this model", SCHEDULERS)
        raise UserError(f"The sampler {name!r} does not fit {kind}: it would give noise; choose one of: {', '.join(fits)}.")
    class_name, settings = {**SCHEDULERS, **EDM_SCHEDULERS}[name]
    base = {k: v for k, v in dict(config).items() if k not in _RESET}
    try:
        return getattr(diffusers, class_name).from_config(base, **settings)
    except ImportError as e:  # LMS needs scipy, DPM++ SDE needs torchsde
        raise UserError(f"The {name!r} scheduler needs a package that is not installed ({' '.join(str(e).split()).rstrip('.')}).") from None


def set_scheduler(pipe, name: str | None):
    """Give `pipe` the sampler `name` (None: keep the pipeline's own); returns `pipe`."""
    if name is not None:
        pipe.scheduler = make_scheduler(name, pipe.scheduler.config)
    return pipe


def scheduler_name(scheduler) -> str:
    """The web UI's name of `scheduler` ("Euler a", "DPM++ 2M Karras", ...); the class name if it has none."""
    class_name = type(scheduler).__name__
    config = getattr(scheduler, "config", {})
    best, best_match = None, -1
    for name, (cls, settings) in {**SCHEDULERS, **EDM_SCHEDULERS}.items():
        if cls != class_name:
            continue
        if all(config.get(k) == v for k, v in settings.items()) and len(settings) > best_match:
            best, best_match = name, len(settings)
    return best or class_name.removesuffix("Scheduler")
