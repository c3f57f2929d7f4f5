//! A browser-wide lock held while a run sends, so two tabs of the app never
//! send at once (the API has no idempotency key to stop a double send).
//! Uses the Web Locks API through `js_sys`; where a browser lacks it, the
//! run goes ahead without the guard.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

const LOCK_NAME: &str = "ruangkerja-import-sending";

/// Held while a run sends; dropping it releases the lock.
pub struct SendLock {
    release: Option<Function>,
}

impl Drop for SendLock {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.call0(&JsValue::UNDEFINED);
        }
    }
}

/// The lock if no other tab holds it, `None` if one does.
pub async fn try_acquire() -> Option<SendLock> {
    let Some(window) = web_sys::window() else {
        return Some(SendLock { release: None });
    };
    let locks = Reflect::get(&window.navigator(), &"locks".into()).unwrap_or(JsValue::UNDEFINED);
    let request = Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    let Some(request) = request else {
        return Some(SendLock { release: None });
    };

    // `held` settles when the lock is released: the lock lasts as long as
    // the promise the callback returns.
    let mut release = None;
    let held = Promise::new(&mut |resolve, _| release = Some(resolve));
    // `decided` tells whether the lock was granted.
    let mut decide = None;
    let decided = Promise::new(&mut |resolve, _| decide = Some(resolve));
    let decide = decide?;
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let granted = !lock.is_null();
        let _ = decide.call1(&JsValue::UNDEFINED, &JsValue::from_bool(granted));
        if granted {
            held.into()
        } else {
            JsValue::UNDEFINED
        }
    });
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    if request
        .call3(&locks, &LOCK_NAME.into(), &options, &callback)
        .is_err()
    {
        return Some(SendLock { release: None });
    }
    let granted = JsFuture::from(decided)
        .await
        .ok()?
        .as_bool()
        .unwrap_or(false);
    granted.then_some(SendLock { release })
}

/// Whether a tab holds the sending lock (this one included).
pub async fn held_elsewhere() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let locks = Reflect::get(&window.navigator(), &"locks".into()).unwrap_or(JsValue::UNDEFINED);
    let Some(query) = Reflect::get(&locks, &"query".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return false;
    };
    let Ok(promise) = query.call0(&locks) else {
        return false;
    };
    let Ok(state) = JsFuture::from(Promise::from(promise)).await else {
        return false;
    };
    let held = Reflect::get(&state, &"held".into()).unwrap_or(JsValue::UNDEFINED);
    js_sys::Array::from(&held).iter().any(|lock| {
        Reflect::get(&lock, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .as_deref()
            == Some(LOCK_NAME)
    })
}
