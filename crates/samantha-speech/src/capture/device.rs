//! Listing and choosing input devices through cpal.

use cpal::traits::{DeviceTrait, HostTrait};

use super::CaptureError;

/// An input device as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputDeviceInfo {
    /// Human-readable name (cpal's device description).
    pub name: String,
    /// Stable identifier such as `alsa:null` or `alsa:hw:0,0`, when the
    /// host reports one.
    pub id: Option<String>,
    pub is_default: bool,
    /// Default configuration, such as `48000 Hz, 2 channels, F32`, when the
    /// device reports one.
    pub default_config: Option<String>,
}

fn device_name(device: &cpal::Device) -> String {
    device.to_string()
}

fn device_id(device: &cpal::Device) -> Option<String> {
    device.id().ok().map(|id| id.to_string())
}

/// Returns whether `wanted` names `device`: its name, its full id (`alsa:null`) or
/// the id without the host prefix (`null`).
fn matches(device: &cpal::Device, wanted: &str) -> bool {
    if device_name(device) == wanted {
        return true;
    }
    let Some(id) = device_id(device) else {
        return false;
    };
    id == wanted || id.split_once(':').is_some_and(|(_, local)| local == wanted)
}

/// Lists the input devices of the default audio host.
pub fn list_input_devices() -> Result<Vec<InputDeviceInfo>, CaptureError> {
    let host = cpal::default_host();
    let default_name = host
        .default_input_device()
        .map(|device| device_name(&device));
    let devices = host
        .input_devices()
        .map_err(|source| CaptureError::Host { source })?;

    let mut listed = Vec::new();
    for device in devices {
        let name = device_name(&device);
        let default_config = device.default_input_config().ok().map(|config| {
            format!(
                "{} Hz, {} channels, {:?}",
                config.sample_rate(),
                config.channels(),
                config.sample_format()
            )
        });
        listed.push(InputDeviceInfo {
            is_default: default_name.as_deref() == Some(name.as_str()),
            id: device_id(&device),
            name,
            default_config,
        });
    }
    Ok(listed)
}

/// Finds the input device that `name` names (see [`matches`]), or the
/// default one for `None`.
pub(super) fn find_input_device(name: Option<&str>) -> Result<cpal::Device, CaptureError> {
    let host = cpal::default_host();
    let Some(name) = name else {
        return host.default_input_device().ok_or(CaptureError::NoDevice);
    };

    let devices: Vec<cpal::Device> = host
        .input_devices()
        .map_err(|source| CaptureError::Host { source })?
        .collect();
    if let Some(index) = devices.iter().position(|device| matches(device, name)) {
        return devices.into_iter().nth(index).ok_or(CaptureError::NoDevice);
    }

    let available: Vec<String> = devices
        .iter()
        .map(|device| match device_id(device) {
            Some(id) => format!("{id} ({})", device_name(device)),
            None => format!("{:?}", device_name(device)),
        })
        .collect();
    Err(CaptureError::DeviceNotFound {
        name: name.to_owned(),
        available: if available.is_empty() {
            "none".to_owned()
        } else {
            available.join(", ")
        },
    })
}

/// Returns the name of the device that `name` selects (the default device
/// for `None`), so a caller can check the choice before recording starts.
pub fn resolve_input_device(name: Option<&str>) -> Result<String, CaptureError> {
    let device = find_input_device(name)?;
    let name = device_name(&device);
    device
        .default_input_config()
        .map_err(|error| super::recorder::classify_open_error(&name, error))?;
    Ok(name)
}
